import { describe, expect, it } from 'vitest';
import { DEVICE_KINDS } from './device-kinds.ts';
import { excursionGauges, excursionSchedule, shortestExcursionMs, type Excursion } from './excursions.ts';
import { buildFleet } from './fleet.ts';

const FLEET = buildFleet(70, 2, DEVICE_KINDS);
const HOUR_MS = 3_600_000;

function until(schedule: Generator<Excursion, void, undefined>, endMs: number): Excursion[] {
  const out: Excursion[] = [];
  for (const excursion of schedule) {
    if (excursion.startMs >= endMs) break;
    out.push(excursion);
  }
  return out;
}

describe('shortestExcursionMs', () => {
  it("counts the opening's shorter rise", () => {
    expect(shortestExcursionMs('rise')).toBe(30_000);
    expect(shortestExcursionMs('outage')).toBe(45_000);
  });
});

describe('excursionSchedule', () => {
  it('replays the same excursions for the same seed and fleet', () => {
    const a = until(excursionSchedule(FLEET, 11, 40), 5 * HOUR_MS);
    expect(a).toEqual(until(excursionSchedule(FLEET, 11, 40), 5 * HOUR_MS));
    expect(a).not.toEqual(until(excursionSchedule(FLEET, 12, 40), 5 * HOUR_MS));
  });

  it('gives none at a rate of 0', () => {
    expect([...excursionSchedule(FLEET, 11, 0)]).toEqual([]);
  });

  it.each([11, 22, 33, 44, 5, 6])('opens with a rise and a hover in the first 6 s (seed %i)', (seed) => {
    const opening = until(excursionSchedule(FLEET, seed, 40), 6_000);
    expect(opening.map((excursion) => excursion.kind).sort()).toEqual(['hover', 'rise']);
    expect(new Set(opening.map((excursion) => excursion.deviceId)).size).toBe(2);
  });

  it('starts them at the given rate on average, in start order', () => {
    const day = until(excursionSchedule(FLEET, 7, 40), 24 * HOUR_MS);
    expect(day.length).toBeGreaterThan(24 * 40 * 0.85);
    expect(day.length).toBeLessThan(24 * 40 * 1.15);
    for (let i = 1; i < day.length; i++) expect(day[i]!.startMs).toBeGreaterThanOrEqual(day[i - 1]!.startMs);
    const kinds = new Set(day.map((excursion) => excursion.kind));
    expect(kinds).toEqual(new Set(['rise', 'hover', 'outage']));
  });

  it('keeps a handful going at once, never two on one device', () => {
    const day = until(excursionSchedule(FLEET, 3, 40), 24 * HOUR_MS);
    let most = 0;
    for (const excursion of day) {
      const going = day.filter(
        (other) => other.startMs <= excursion.startMs && excursion.startMs < other.startMs + other.lengthMs,
      );
      most = Math.max(most, going.length);
      expect(new Set(going.map((other) => other.deviceId)).size).toBe(going.length);
    }
    expect(most).toBeLessThanOrEqual(6);
  });

  it('drives only gauges that have levels for the excursion, and none in an outage', () => {
    const byId = new Map(FLEET.map((device) => [device.id, device]));
    for (const excursion of until(excursionSchedule(FLEET, 9, 200), 10 * HOUR_MS)) {
      const gauges = excursionGauges(excursion.kind, byId.get(excursion.deviceId)!).map((g) => g.name);
      if (excursion.kind === 'outage') expect(excursion.metric).toBeUndefined();
      else expect(gauges).toContain(excursion.metric);
    }
  });

  it('gives a fleet without gauges to drive outages only', () => {
    const meters = buildFleet(10, 1, ['power-meter']);
    const kinds = until(excursionSchedule(meters, 1, 40), 10 * HOUR_MS).map((excursion) => excursion.kind);
    expect(kinds.length).toBeGreaterThan(0);
    expect(new Set(kinds)).toEqual(new Set(['outage']));
  });
});
