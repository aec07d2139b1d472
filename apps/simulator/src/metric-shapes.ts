// The shapes a simulated metric is made of. Pure: every random draw comes in as an argument.

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The daily swing: `mean ± amplitude`, peaking at `peakHour` (UTC, may be fractional). */
export function dailyCycle(tMs: number, mean: number, amplitude: number, peakHour: number): number {
  const phase = ((tMs - peakHour * HOUR_MS) % DAY_MS) / DAY_MS;
  return mean + amplitude * Math.cos(2 * Math.PI * phase);
}

/**
 * One step of a slow drift that wanders but returns towards zero (Ornstein–Uhlenbeck, exact step),
 * so a long run neither freezes nor walks off to absurd values. `sd` is the spread it settles to;
 * `reversionPerHour` how fast it forgets. `z` is a standard normal draw.
 */
export function driftStep(
  drift: number,
  dtSeconds: number,
  sd: number,
  reversionPerHour: number,
  z: number,
): number {
  const decay = Math.exp((-reversionPerHour * dtSeconds) / 3600);
  return drift * decay + sd * Math.sqrt(1 - decay * decay) * z;
}

/** A spike adds `magnitude` at full strength and eases out over the last third of its length. */
export function spikeOffset(magnitude: number, startedAtMs: number, lengthMs: number, tMs: number): number {
  const elapsed = tMs - startedAtMs;
  if (elapsed < 0 || elapsed >= lengthMs) return 0;
  const easeFrom = (lengthMs * 2) / 3;
  if (elapsed <= easeFrom) return magnitude;
  return magnitude * (1 - (elapsed - easeFrom) / (lengthMs - easeFrom));
}

export function clamp(value: number, min = -Infinity, max = Infinity): number {
  return Math.min(max, Math.max(min, value));
}

/** Rounds to a multiple of `step` (e.g. 0.01 for two decimals, 0.5 for a setpoint dial). */
export function quantize(value: number, step: number): number {
  const decimals = Math.max(0, Math.ceil(-Math.log10(step)));
  return Number((Math.round(value / step) * step).toFixed(decimals));
}

/** A meter that only counts up: adds `ratePerHour` for `dtSeconds`; a negative rate adds nothing. */
export function accumulate(total: number, ratePerHour: number, dtSeconds: number): number {
  return total + (Math.max(0, ratePerHour) * dtSeconds) / 3600;
}

export interface GaugeShape {
  mean: number;
  amplitude: number;
  peakHour: number;
  /** Per-sample jitter, standard deviation. */
  noise: number;
  min?: number;
  max?: number;
  step: number;
}

/** A gauge's value at `tMs`: the daily cycle, plus drift and any spike, plus noise, clamped and quantized. */
export function gaugeValue(
  shape: GaugeShape,
  tMs: number,
  drift: number,
  spike: number,
  noiseZ: number,
): number {
  const raw =
    dailyCycle(tMs, shape.mean, shape.amplitude, shape.peakHour) + drift + spike + shape.noise * noiseZ;
  return quantize(clamp(raw, shape.min, shape.max), shape.step);
}

/**
 * How far an excursion has taken a gauge to its level: 0 → 1 over `rampMs`, 1 while it lasts, and
 * back to 0 over its last `rampMs`.
 */
export function excursionWeight(startedAtMs: number, lengthMs: number, rampMs: number, tMs: number): number {
  const elapsed = tMs - startedAtMs;
  if (elapsed <= 0 || elapsed >= lengthMs) return 0;
  return Math.min(1, elapsed / rampMs, (lengthMs - elapsed) / rampMs);
}

/**
 * Where a hovering gauge is at its `sample`-th sample since it started: on `above` while it holds,
 * then alternately `below` and `above`, sample by sample.
 */
export function hoverLevel(
  hover: { above: number; below: number },
  holding: boolean,
  sample: number,
): number {
  return holding || sample % 2 === 1 ? hover.above : hover.below;
}
