import { EventPayload, TelemetryPayload } from '@tierscope/shared/mqtt';
import { describe, expect, it } from 'vitest';
import { DEVICE_KINDS, KIND_PROFILES } from './device-kinds.ts';
import {
  bootEvent,
  createDeviceModel,
  startExcursion,
  stepDevice,
  type DeviceIdentity,
  type DeviceStep,
} from './device-model.ts';
import { HOVER_HOLD_MS, type Excursion } from './excursions.ts';

const T0 = Date.UTC(2026, 0, 15, 8);

function run(identity: DeviceIdentity, seed: number, samples: number, everyMs = 1000): DeviceStep[] {
  const model = createDeviceModel(identity, seed);
  return Array.from({ length: samples }, (_, i) => stepDevice(model, T0 + i * everyMs));
}

describe('stepDevice', () => {
  it('replays the same values and events for the same seed', () => {
    const device: DeviceIdentity = { id: 'sim-s01-pump-1', kind: 'pump', site: 's01' };
    expect(run(device, 42, 500, 10_000)).toEqual(run(device, 42, 500, 10_000));
  });

  it('gives two devices of the same kind different curves', () => {
    const a = run({ id: 'sim-s01-thermostat-1', kind: 'thermostat', site: 's01' }, 42, 1)[0]!;
    const b = run({ id: 'sim-s01-thermostat-2', kind: 'thermostat', site: 's01' }, 42, 1)[0]!;
    expect(a.telemetry).not.toEqual(b.telemetry);
  });

  it.each(DEVICE_KINDS)('sends telemetry and events a node accepts, for a %s', (kind) => {
    const steps = run({ id: `sim-s01-${kind}-1`, kind, site: 's01' }, 7, 2000, 30_000);
    for (const step of steps) {
      if (step.telemetry) expect(TelemetryPayload.safeParse(step.telemetry).success).toBe(true);
      for (const event of step.events) expect(EventPayload.safeParse(event).success).toBe(true);
    }
    const sent = steps.find((step) => step.telemetry)!.telemetry!;
    expect(Object.keys(sent.metrics).sort()).toEqual(KIND_PROFILES[kind].metrics.map((m) => m.name).sort());
  });

  it('goes silent for a while now and then, and says so when it resumes', () => {
    // ~17 simulated hours at one sample per 10 s: dropouts at 0.3/h are all but certain.
    const steps = run({ id: 'sim-s02-air-quality-3', kind: 'air-quality', site: 's02' }, 3, 6000, 10_000);
    const silent = steps.filter((step) => !step.telemetry).length;
    expect(silent).toBeGreaterThan(0);
    expect(silent).toBeLessThan(steps.length / 4);
    const gaps = steps.flatMap((step) => step.events).filter((event) => event.type === 'telemetry-gap');
    expect(gaps.length).toBeGreaterThan(0);
  });

  it('fires a spike event with the spiked value and the metric it hit', () => {
    const steps = run({ id: 'sim-s01-power-meter-1', kind: 'power-meter', site: 's01' }, 11, 6000, 10_000);
    const overload = steps.flatMap((step) => step.events).find((event) => event.type === 'overload');
    expect(overload).toMatchObject({ severity: 'critical', attrs: { metric: 'power_kw' } });
    expect((overload!.attrs as { value: number }).value).toBeGreaterThan(15);
  });

  it('keeps the energy counter rising', () => {
    const steps = run({ id: 'sim-s03-power-meter-2', kind: 'power-meter', site: 's03' }, 5, 300, 60_000);
    const energy = steps.flatMap((step) => (step.telemetry ? [step.telemetry.metrics.energy_kwh!] : []));
    for (let i = 1; i < energy.length; i++) expect(energy[i]!).toBeGreaterThanOrEqual(energy[i - 1]!);
    expect(energy.at(-1)!).toBeGreaterThan(energy[0]!);
  });

  it('keeps gauges inside their physical bounds', () => {
    const steps = run({ id: 'sim-s01-thermostat-9', kind: 'thermostat', site: 's01' }, 9, 3000, 60_000);
    for (const step of steps) {
      if (!step.telemetry) continue;
      expect(step.telemetry.metrics.humidity_pct).toBeGreaterThanOrEqual(0);
      expect(step.telemetry.metrics.humidity_pct).toBeLessThanOrEqual(100);
      expect(step.telemetry.metrics.heating_pct).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('stepDevice on an excursion', () => {
  const thermostat: DeviceIdentity = { id: 'sim-s01-thermostat-1', kind: 'thermostat', site: 's01' };

  /** Samples every 2 s (the demo's rate) for `seconds`, the excursion starting at T0. */
  function during(excursion: Omit<Excursion, 'deviceId' | 'startMs'>, seconds: number): DeviceStep[] {
    const model = createDeviceModel(thermostat, 5);
    startExcursion(model, { ...excursion, deviceId: thermostat.id, startMs: 0 }, T0);
    return Array.from({ length: seconds / 2 }, (_, i) => stepDevice(model, T0 + i * 2000));
  }
  const temperatures = (steps: DeviceStep[]) => steps.map((step) => step.telemetry!.metrics.temperature_c!);

  it('takes the gauge to its level, holds it and brings it back', () => {
    const steps = during({ kind: 'rise', metric: 'temperature_c', lengthMs: 40_000 }, 60);
    const [before, ...rest] = temperatures(steps);
    expect(before).toBeLessThan(25);
    expect(rest.slice(3, 15).every((value) => Math.abs(value - 31) < 0.5)).toBe(true);
    expect(rest.slice(20).every((value) => value < 25)).toBe(true);
  });

  it('hovers on the edge, then alternates sample by sample across it', () => {
    const steps = during({ kind: 'hover', metric: 'temperature_c', lengthMs: 60_000 }, 50);
    const values = temperatures(steps);
    const holding = values.slice(4, HOVER_HOLD_MS / 2000);
    expect(holding.every((value) => Math.abs(value - 28.8) < 0.5)).toBe(true);
    const alternating = values.slice(HOVER_HOLD_MS / 2000, 25);
    for (let i = 1; i < alternating.length; i++)
      expect(Math.sign(alternating[i]! - 27.6)).toBe(-Math.sign(alternating[i - 1]! - 27.6));
    expect(values.slice(30).every((value) => value < 25)).toBe(true);
  });

  it('says offline, sends nothing while out, and says online when back', () => {
    const steps = during({ kind: 'outage', lengthMs: 30_000 }, 40);
    expect(steps[0]).toEqual({ events: [], status: 'offline' });
    expect(steps.slice(1, 15).every((step) => !step.telemetry && !step.status)).toBe(true);
    expect(steps[15]).toMatchObject({ status: 'online', telemetry: { ts: T0 + 30_000 } });
    expect(steps.slice(16).every((step) => step.telemetry && !step.status)).toBe(true);
  });

  it('says online when an outage ends inside a dropout of its own', () => {
    const model = createDeviceModel(thermostat, 5);
    startExcursion(model, { kind: 'outage', deviceId: thermostat.id, startMs: 0, lengthMs: 30_000 }, T0);
    model.silence = { sinceMs: T0, untilMs: T0 + 60_000 };
    expect(stepDevice(model, T0 + 30_000)).toEqual({ events: [], status: 'online' });
    expect(stepDevice(model, T0 + 32_000)).toEqual({ events: [] });
  });

  it('leaves its other gauges as they would have been', () => {
    const model = createDeviceModel(thermostat, 5);
    const plain = Array.from({ length: 30 }, (_, i) => stepDevice(model, T0 + i * 2000));
    const rise = during({ kind: 'rise', metric: 'temperature_c', lengthMs: 40_000 }, 60);
    const humidity = (steps: DeviceStep[]) => steps.map((step) => step.telemetry!.metrics.humidity_pct);
    expect(humidity(rise)).toEqual(humidity(plain));
  });
});

describe('bootEvent', () => {
  it('names the kind and site so a node can label the device', () => {
    const event = bootEvent({ id: 'sim-s04-pump-2', kind: 'pump', site: 's04' }, T0);
    expect(EventPayload.parse(event).attrs).toMatchObject({ kind: 'pump', site: 's04' });
  });
});
