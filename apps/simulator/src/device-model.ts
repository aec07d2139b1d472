import type { EventPayload, TelemetryPayload } from '@tierscope/shared/mqtt';
import {
  KIND_PROFILES,
  type DeviceKind,
  type EventTemplate,
  type GaugeSpec,
  type KindProfile,
} from './device-kinds.ts';
import { EXCURSION_RAMP_MS, HOVER_HOLD_MS, type Excursion } from './excursions.ts';
import {
  accumulate,
  dailyCycle,
  driftStep,
  excursionWeight,
  gaugeValue,
  hoverLevel,
  quantize,
  spikeOffset,
  type GaugeShape,
} from './metric-shapes.ts';
import { createRng, gaussian, happens, hashSeed, uniform, type Rng } from './rng.ts';

export interface DeviceIdentity {
  id: string;
  kind: DeviceKind;
  site: string;
}

interface GaugeState {
  spec: GaugeSpec;
  /** The spec with this device's own offsets, so no two devices draw the same curve. */
  shape: GaugeShape;
  drift: number;
  spike?: { startedAtMs: number; lengthMs: number; magnitude: number };
}

/** One simulated device's state between samples. Mutable; `stepDevice` advances it. */
export interface DeviceModel {
  identity: DeviceIdentity;
  profile: KindProfile;
  rng: Rng;
  gauges: GaugeState[];
  counters: { name: string; of: string; step: number; total: number }[];
  lastTs?: number;
  silence?: { sinceMs: number; untilMs: number };
  excursion?: ExcursionState;
}

interface ExcursionState {
  kind: Excursion['kind'];
  metric?: string;
  startedAtMs: number;
  lengthMs: number;
  /** Samples sent since it started: a hover alternates by them. */
  samples: number;
  /** An outage has said `offline`. */
  announced: boolean;
}

/**
 * What a device sends at one tick: telemetry unless it is silent, any events, and a status
 * (retained) when an outage starts or ends.
 */
export interface DeviceStep {
  telemetry?: TelemetryPayload;
  events: EventPayload[];
  status?: 'online' | 'offline';
}

/** The same `seed` and id give the same device, whatever else the fleet holds. */
export function createDeviceModel(identity: DeviceIdentity, seed: number): DeviceModel {
  const rng = createRng(hashSeed(seed, identity.id));
  const profile = KIND_PROFILES[identity.kind];
  const gauges: GaugeState[] = [];
  const counters: DeviceModel['counters'] = [];
  for (const spec of profile.metrics) {
    if (spec.kind === 'counter') {
      counters.push({ name: spec.name, of: spec.of, step: spec.step, total: uniform(rng, 1_000, 50_000) });
      continue;
    }
    const shape: GaugeShape = {
      mean: spec.mean + spec.drift.sd * gaussian(rng),
      amplitude: spec.amplitude * uniform(rng, 0.7, 1.3),
      peakHour: spec.peakHour + uniform(rng, -1, 1),
      noise: spec.noise,
      step: spec.step,
      ...(spec.min === undefined ? {} : { min: spec.min }),
      ...(spec.max === undefined ? {} : { max: spec.max }),
    };
    // Start the drift already spread out, as if the device had been running for a while.
    gauges.push({ spec, shape, drift: spec.drift.sd * gaussian(rng) });
  }
  return { identity, profile, rng, gauges, counters };
}

/**
 * Advances the device to `tMs` (which must not go backwards) and returns what it sends.
 * The time since the previous step drives drift, counters and how likely spikes, events and
 * dropouts are, so the behaviour per hour is the same at any publishing rate.
 */
export function stepDevice(model: DeviceModel, tMs: number): DeviceStep {
  const { rng, profile } = model;
  const events: EventPayload[] = [];
  let status: DeviceStep['status'];

  const excursion = model.excursion;
  if (excursion && tMs - excursion.startedAtMs >= excursion.lengthMs) {
    model.excursion = undefined;
    if (excursion.kind === 'outage') status = 'online';
  } else if (excursion?.kind === 'outage') {
    if (excursion.announced) return { events };
    excursion.announced = true;
    return { events, status: 'offline' };
  }

  if (model.silence) {
    if (tMs < model.silence.untilMs) return { events, ...(status && { status }) };
    const silentSeconds = Math.round((tMs - model.silence.sinceMs) / 1000);
    model.silence = undefined;
    events.push({
      ts: tMs,
      type: 'telemetry-gap',
      severity: 'info',
      message: `telemetry resumed after ${silentSeconds} s of silence`,
      attrs: { silentSeconds },
    });
  }

  const dtSeconds = model.lastTs === undefined ? 0 : Math.max(0, (tMs - model.lastTs) / 1000);
  // No dropout in the middle of an excursion: the excursion is what the demo is there to show.
  if (dtSeconds > 0 && happens(rng, profile.dropout.perHour, dtSeconds) && !model.excursion) {
    const seconds = uniform(rng, profile.dropout.minSeconds, profile.dropout.maxSeconds);
    model.silence = { sinceMs: tMs, untilMs: tMs + seconds * 1000 };
    return { events, ...(status && { status }) };
  }
  model.lastTs = tMs;

  const metrics: Record<string, number> = {};
  for (const gauge of model.gauges) {
    const { spec } = gauge;
    gauge.drift = driftStep(
      gauge.drift,
      dtSeconds,
      spec.drift.sd,
      spec.drift.reversionPerHour,
      gaussian(rng),
    );
    let started: EventTemplate | undefined;
    if (gauge.spike && tMs - gauge.spike.startedAtMs >= gauge.spike.lengthMs) gauge.spike = undefined;
    if (!gauge.spike && spec.spike && dtSeconds > 0 && happens(rng, spec.spike.perHour, dtSeconds)) {
      const lengthMs = spec.spike.seconds * 1000 * uniform(rng, 0.5, 1.5);
      gauge.spike = { startedAtMs: tMs, lengthMs, magnitude: spec.spike.magnitude * uniform(rng, 0.8, 1.2) };
      started = spec.spike.event;
    }
    const spike = gauge.spike
      ? spikeOffset(gauge.spike.magnitude, gauge.spike.startedAtMs, gauge.spike.lengthMs, tMs)
      : 0;
    const value = gaugeValue(
      gauge.shape,
      tMs,
      gauge.drift,
      spike + excursionOffset(model, gauge, tMs, spike),
      gaussian(rng),
    );
    metrics[spec.name] = value;
    if (started) events.push(fromTemplate(started, tMs, { metric: spec.name, value }));
  }
  for (const counter of model.counters) {
    counter.total = accumulate(counter.total, metrics[counter.of] ?? 0, dtSeconds);
    metrics[counter.name] = quantize(counter.total, counter.step);
  }

  if (dtSeconds > 0 && happens(rng, profile.chatter.perHour, dtSeconds)) {
    events.push(fromTemplate(profile.chatter.event, tMs, {}));
  }
  if (model.excursion) model.excursion.samples++;
  return { telemetry: { ts: tMs, metrics }, events, ...(status && { status }) };
}

/** Starts `excursion` on the device at `tMs`, in place of one it may still be on. */
export function startExcursion(model: DeviceModel, excursion: Excursion, tMs: number): void {
  model.excursion = {
    kind: excursion.kind,
    ...(excursion.metric !== undefined && { metric: excursion.metric }),
    startedAtMs: tMs,
    lengthMs: excursion.lengthMs,
    samples: 0,
    announced: false,
  };
}

/** What the device's excursion adds to `gauge` now: the way from its own value to the level. */
function excursionOffset(model: DeviceModel, gauge: GaugeState, tMs: number, spike: number): number {
  const excursion = model.excursion;
  const levels = gauge.spec.excursion;
  if (!excursion || !levels || excursion.metric !== gauge.spec.name) return 0;
  const elapsed = tMs - excursion.startedAtMs;
  const level =
    excursion.kind === 'hover' && levels.hover
      ? hoverLevel(levels.hover, elapsed < HOVER_HOLD_MS, excursion.samples)
      : levels.to;
  const own =
    dailyCycle(tMs, gauge.shape.mean, gauge.shape.amplitude, gauge.shape.peakHour) + gauge.drift + spike;
  const weight = excursionWeight(excursion.startedAtMs, excursion.lengthMs, EXCURSION_RAMP_MS, tMs);
  return (level - own) * weight;
}

/** The event a device sends once it is up, naming what it is so a node can label it. */
export function bootEvent(identity: DeviceIdentity, tMs: number): EventPayload {
  return {
    ts: tMs,
    type: 'boot',
    severity: 'info',
    message: `simulated ${identity.kind} at site ${identity.site} started`,
    attrs: { kind: identity.kind, site: identity.site, firmware: 'tierscope-sim/0.1.0' },
  };
}

function fromTemplate(
  template: EventTemplate,
  tMs: number,
  attrs: { metric?: string; value?: number },
): EventPayload {
  const message = template.message.replace('{value}', attrs.value === undefined ? '' : String(attrs.value));
  return {
    ts: tMs,
    type: template.type,
    severity: template.severity,
    message,
    ...(attrs.metric === undefined ? {} : { attrs }),
  };
}
