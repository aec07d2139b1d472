/** Units the device API's metric names end in, by convention (`temperature_c`, `co2_ppm`). */
const UNIT_SUFFIXES: [suffix: string, unit: string][] = [
  ['_mm_s', 'mm/s'],
  ['_ugm3', 'µg/m³'],
  ['_m3h', 'm³/h'],
  ['_kwh', 'kWh'],
  ['_pct', '%'],
  ['_ppm', 'ppm'],
  ['_ppb', 'ppb'],
  ['_bar', 'bar'],
  ['_kw', 'kW'],
  ['_c', '°C'],
  ['_v', 'V'],
];

export interface MetricLabel {
  /** The name without its unit suffix, words spaced: "co2", "motor temp". */
  name: string;
  unit: string | null;
}

/** How a metric name reads on a chart: `motor_temp_c` → "motor temp" in °C. */
export function metricLabel(metric: string): MetricLabel {
  const match = UNIT_SUFFIXES.find(([suffix]) => metric.endsWith(suffix) && metric.length > suffix.length);
  const base = match ? metric.slice(0, -match[0].length) : metric;
  return { name: base.replaceAll('_', ' '), unit: match ? match[1] : null };
}
