import type { Severity } from '@tierscope/shared/domain';
import type { GaugeShape } from './metric-shapes.ts';

export const DEVICE_KINDS = ['thermostat', 'power-meter', 'air-quality', 'pump'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export interface EventTemplate {
  type: string;
  severity: Severity;
  /** `{value}` is replaced by the metric's value when the event fires. */
  message: string;
}

export interface GaugeSpec extends GaugeShape {
  kind: 'gauge';
  name: string;
  drift: { sd: number; reversionPerHour: number };
  spike?: { perHour: number; magnitude: number; seconds: number; event?: EventTemplate };
  /** Where an excursion (`src/excursions.ts`) takes this gauge, well past the demo policy's rules. */
  excursion?: GaugeExcursion;
}

export interface GaugeExcursion {
  /** The level a `rise` takes the gauge to (below its band for a fall), and back. */
  to: number;
  /**
   * A `hover` holds `above` for a while, then alternates sample by sample between `above` and
   * `below`: a device on the edge, crossing a rule's threshold and its hysteresis band, so it flaps.
   */
  hover?: { above: number; below: number };
}

/** Counts up by another metric's value per hour (energy from power). */
export interface CounterSpec {
  kind: 'counter';
  name: string;
  of: string;
  step: number;
}

export type MetricSpec = GaugeSpec | CounterSpec;

export interface KindProfile {
  metrics: readonly MetricSpec[];
  /** Unprompted informational events, per device per hour. */
  chatter: { perHour: number; event: EventTemplate };
  /** Spells of silence, per device per hour, each lasting between the two bounds. */
  dropout: { perHour: number; minSeconds: number; maxSeconds: number };
}

function gauge(name: string, shape: Omit<GaugeSpec, 'kind' | 'name'>): GaugeSpec {
  return { kind: 'gauge', name, ...shape };
}

const DROPOUT = { perHour: 0.3, minSeconds: 60, maxSeconds: 600 };

// Four metrics per kind, like the benchmark payloads; values in the units their names carry.
export const KIND_PROFILES: Record<DeviceKind, KindProfile> = {
  thermostat: {
    metrics: [
      gauge('temperature_c', {
        mean: 21,
        amplitude: 1.2,
        peakHour: 16,
        noise: 0.08,
        min: 5,
        max: 35,
        step: 0.01,
        drift: { sd: 0.4, reversionPerHour: 0.5 },
        excursion: { to: 31, hover: { above: 28.8, below: 26.4 } },
        spike: {
          perHour: 0.3,
          magnitude: 4,
          seconds: 120,
          event: {
            type: 'overheat',
            severity: 'warning',
            message: 'room at {value} °C, above the comfort band',
          },
        },
      }),
      gauge('humidity_pct', {
        mean: 45,
        amplitude: 6,
        peakHour: 6,
        noise: 0.4,
        min: 0,
        max: 100,
        step: 0.1,
        drift: { sd: 3, reversionPerHour: 0.3 },
      }),
      gauge('setpoint_c', {
        mean: 20,
        amplitude: 1.5,
        peakHour: 14,
        noise: 0,
        min: 5,
        max: 30,
        step: 0.5,
        drift: { sd: 0.3, reversionPerHour: 0.1 },
      }),
      gauge('heating_pct', {
        mean: 35,
        amplitude: 25,
        peakHour: 5,
        noise: 3,
        min: 0,
        max: 100,
        step: 1,
        drift: { sd: 5, reversionPerHour: 1 },
      }),
    ],
    chatter: {
      perHour: 0.5,
      event: { type: 'setpoint-changed', severity: 'info', message: 'setpoint changed on the panel' },
    },
    dropout: DROPOUT,
  },
  'power-meter': {
    metrics: [
      gauge('power_kw', {
        mean: 12,
        amplitude: 6,
        peakHour: 13,
        noise: 0.4,
        min: 0,
        step: 0.001,
        drift: { sd: 1.5, reversionPerHour: 0.5 },
        spike: {
          perHour: 0.5,
          magnitude: 15,
          seconds: 30,
          event: {
            type: 'overload',
            severity: 'critical',
            message: 'load at {value} kW, above the breaker rating',
          },
        },
      }),
      gauge('voltage_v', {
        mean: 230,
        amplitude: 2,
        peakHour: 3,
        noise: 0.6,
        min: 0,
        step: 0.1,
        drift: { sd: 1, reversionPerHour: 1 },
        spike: {
          perHour: 0.2,
          magnitude: -25,
          seconds: 5,
          event: { type: 'voltage-sag', severity: 'warning', message: 'supply sagged to {value} V' },
        },
      }),
      gauge('power_factor', {
        mean: 0.93,
        amplitude: 0.02,
        peakHour: 13,
        noise: 0.005,
        min: 0,
        max: 1,
        step: 0.001,
        drift: { sd: 0.01, reversionPerHour: 0.5 },
      }),
      { kind: 'counter', name: 'energy_kwh', of: 'power_kw', step: 0.001 },
    ],
    chatter: {
      perHour: 0.2,
      event: { type: 'tariff-switch', severity: 'info', message: 'tariff period changed' },
    },
    dropout: DROPOUT,
  },
  'air-quality': {
    metrics: [
      gauge('co2_ppm', {
        mean: 700,
        amplitude: 300,
        peakHour: 15,
        noise: 15,
        min: 400,
        step: 1,
        drift: { sd: 40, reversionPerHour: 0.5 },
        spike: {
          perHour: 0.4,
          magnitude: 900,
          seconds: 600,
          event: { type: 'co2-high', severity: 'warning', message: 'CO2 at {value} ppm: ventilate' },
        },
      }),
      gauge('pm25_ugm3', {
        mean: 10,
        amplitude: 4,
        peakHour: 8,
        noise: 1,
        min: 0,
        step: 0.1,
        drift: { sd: 3, reversionPerHour: 0.5 },
        spike: {
          perHour: 0.2,
          magnitude: 60,
          seconds: 300,
          event: { type: 'pm-high', severity: 'warning', message: 'PM2.5 at {value} µg/m³' },
        },
      }),
      gauge('voc_ppb', {
        mean: 220,
        amplitude: 80,
        peakHour: 15,
        noise: 10,
        min: 0,
        step: 1,
        drift: { sd: 30, reversionPerHour: 0.5 },
      }),
      gauge('temperature_c', {
        mean: 22,
        amplitude: 1.5,
        peakHour: 16,
        noise: 0.1,
        min: -10,
        max: 45,
        step: 0.01,
        drift: { sd: 0.5, reversionPerHour: 0.5 },
      }),
    ],
    chatter: {
      perHour: 0.3,
      event: { type: 'filter-service-due', severity: 'info', message: 'sensor filter due for service' },
    },
    dropout: DROPOUT,
  },
  pump: {
    metrics: [
      gauge('flow_m3h', {
        mean: 40,
        amplitude: 15,
        peakHour: 8,
        noise: 1,
        min: 0,
        step: 0.01,
        drift: { sd: 2, reversionPerHour: 0.5 },
        spike: {
          perHour: 0.2,
          magnitude: -40,
          seconds: 60,
          event: {
            type: 'dry-run',
            severity: 'critical',
            message: 'flow fell to {value} m³/h: pump may be running dry',
          },
        },
      }),
      gauge('pressure_bar', {
        mean: 4.2,
        amplitude: 0.6,
        peakHour: 8,
        noise: 0.05,
        min: 0,
        step: 0.01,
        drift: { sd: 0.2, reversionPerHour: 0.5 },
        // A burst main: the pressure falls and recovers within seconds, a rate-of-change rule's case.
        excursion: { to: 0.6 },
      }),
      gauge('vibration_mm_s', {
        mean: 2.2,
        amplitude: 0.3,
        peakHour: 8,
        noise: 0.15,
        min: 0,
        step: 0.01,
        drift: { sd: 0.3, reversionPerHour: 0.5 },
        spike: {
          perHour: 0.3,
          magnitude: 6,
          seconds: 90,
          event: { type: 'vibration-high', severity: 'warning', message: 'vibration at {value} mm/s' },
        },
      }),
      gauge('motor_temp_c', {
        mean: 55,
        amplitude: 6,
        peakHour: 14,
        noise: 0.3,
        min: -20,
        max: 120,
        step: 0.1,
        drift: { sd: 2, reversionPerHour: 0.5 },
        excursion: { to: 96, hover: { above: 92, below: 82 } },
      }),
    ],
    chatter: {
      perHour: 0.3,
      event: { type: 'maintenance-due', severity: 'info', message: 'scheduled maintenance due' },
    },
    dropout: DROPOUT,
  },
};
