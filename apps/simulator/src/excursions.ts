// Excursions: now and then a device leaves its normal band for a while, so the demo policy's rules
// fire, resolve and flap. The schedule is pure: the same seed and fleet give the same excursions.
import { KIND_PROFILES, type GaugeSpec } from './device-kinds.ts';
import type { DeviceIdentity } from './device-model.ts';
import { createRng, hashSeed, uniform, type Rng } from './rng.ts';

/**
 * `rise`: a gauge goes to its excursion level and comes back. `hover`: a gauge sits on the edge,
 * crossing a rule's threshold sample by sample. `outage`: the device drops off the network
 * (`offline`, as its last will would say) and says nothing until it is back.
 */
export const EXCURSION_KINDS = ['rise', 'hover', 'outage'] as const;
export type ExcursionKind = (typeof EXCURSION_KINDS)[number];

export interface Excursion {
  kind: ExcursionKind;
  deviceId: string;
  /** The gauge a rise or hover drives; an outage silences the whole device. */
  metric?: string;
  /** After the simulator started. */
  startMs: number;
  lengthMs: number;
}

/** A gauge takes this long to reach its excursion level, and as long to come back. */
export const EXCURSION_RAMP_MS = 6_000;
/**
 * A hover holds its `above` level this long (the ramp included) before it alternates, so a rule's
 * for-duration of up to 15 s fires first and the alternation then shows as flapping.
 */
export const HOVER_HOLD_MS = 28_000;

type Seconds = readonly [min: number, max: number];

const LENGTH_SECONDS: Record<ExcursionKind, Seconds> = {
  rise: [40, 90],
  hover: [60, 90],
  outage: [45, 120],
};

/** Of the excursions after the opening: mostly rises, some outages, a few hovers. */
const KIND_WEIGHTS: readonly (readonly [ExcursionKind, number])[] = [
  ['rise', 0.5],
  ['outage', 0.3],
  ['hover', 0.2],
];

/**
 * A rise and a hover in the first seconds, whatever the rate: a fresh demo shows an alert
 * fire, resolve and flap within its first minute (see HOVER_HOLD_MS for the hover's timing).
 */
const OPENING: readonly { kind: ExcursionKind; startSeconds: Seconds; lengthSeconds: Seconds }[] = [
  { kind: 'rise', startSeconds: [2, 6], lengthSeconds: [30, 35] },
  { kind: 'hover', startSeconds: [2, 5], lengthSeconds: [55, 60] },
];
/** The others start after the opening minute. */
const OPENING_MS = 60_000;

/** The shortest excursion of a kind, the opening's included: a rule must fire within it. */
export function shortestExcursionMs(kind: ExcursionKind): number {
  const opening = OPENING.filter((step) => step.kind === kind).map((step) => step.lengthSeconds[0]);
  return Math.min(LENGTH_SECONDS[kind][0], ...opening) * 1000;
}

/** The gauges of a device kind that an excursion of `kind` can drive. */
export function excursionGauges(kind: ExcursionKind, device: DeviceIdentity): GaugeSpec[] {
  if (kind === 'outage') return [];
  return KIND_PROFILES[device.kind].metrics.filter(
    (spec): spec is GaugeSpec =>
      spec.kind === 'gauge' && spec.excursion !== undefined && (kind === 'rise' || !!spec.excursion.hover),
  );
}

/**
 * The excursions of `fleet`, in start order, without end: the opening, then from the end of the
 * first minute on average `perHour` of them across the fleet (a Poisson process). A device has one excursion at a time; one that no
 * device can take just now is skipped. `perHour` 0 gives none at all.
 */
export function* excursionSchedule(
  fleet: readonly DeviceIdentity[],
  seed: number,
  perHour: number,
): Generator<Excursion, void, undefined> {
  if (perHour <= 0 || fleet.length === 0) return;
  const rng = createRng(hashSeed(seed, 'excursions'));
  const busyUntil = new Map<string, number>();

  const plan = (kind: ExcursionKind, startMs: number, lengthSeconds: Seconds): Excursion | undefined => {
    const free = fleet.filter(
      (device) =>
        (busyUntil.get(device.id) ?? 0) <= startMs &&
        (kind === 'outage' || excursionGauges(kind, device).length > 0),
    );
    const device = pick(rng, free);
    if (!device) return undefined;
    const lengthMs = Math.round(uniform(rng, ...lengthSeconds) * 1000);
    busyUntil.set(device.id, startMs + lengthMs);
    const gauge = pick(rng, excursionGauges(kind, device));
    return { kind, deviceId: device.id, ...(gauge && { metric: gauge.name }), startMs, lengthMs };
  };

  const opening = OPENING.map((step) => ({
    ...step,
    startMs: Math.round(uniform(rng, ...step.startSeconds) * 1000),
  })).sort((a, b) => a.startMs - b.startMs);
  for (const step of opening) {
    const excursion = plan(step.kind, step.startMs, step.lengthSeconds);
    if (excursion) yield excursion;
  }

  let startMs = OPENING_MS;
  for (;;) {
    startMs += Math.round(exponentialMs(rng, perHour));
    const kind = weighted(rng, KIND_WEIGHTS);
    const excursion = plan(kind, startMs, LENGTH_SECONDS[kind]);
    if (excursion) yield excursion;
  }
}

/** The wait until the next event of a Poisson process at `perHour`. */
function exponentialMs(rng: Rng, perHour: number): number {
  return (-Math.log(1 - rng.next()) / perHour) * 3_600_000;
}

function weighted<T>(rng: Rng, weights: readonly (readonly [T, number])[]): T {
  const total = weights.reduce((sum, [, weight]) => sum + weight, 0);
  let draw = rng.next() * total;
  for (const [value, weight] of weights) {
    draw -= weight;
    if (draw < 0) return value;
  }
  return weights.at(-1)![0];
}

function pick<T>(rng: Rng, items: readonly T[]): T | undefined {
  return items.length === 0 ? undefined : items[Math.floor(rng.next() * items.length)];
}
