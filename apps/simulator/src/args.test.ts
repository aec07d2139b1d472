import { describe, expect, it } from 'vitest';
import { parseSimulatorArgs } from './args.ts';

describe('parseSimulatorArgs', () => {
  it('fills in defaults and derives one site per 50 devices', () => {
    const parsed = parseSimulatorArgs(['--devices', '120', '--seed', '3']);
    expect(parsed).toMatchObject({
      ok: true,
      options: {
        url: 'mqtt://127.0.0.1:1883',
        devices: 120,
        rate: 1,
        seed: 3,
        sites: 3,
        invalidEvery: 0,
        excursionsPerHour: 40,
        connectionMode: 'per-device',
      },
    });
  });

  it('reads the devices that never apply their configuration, and refuses a bad device id', () => {
    const parsed = parseSimulatorArgs(['--never-apply', 'sim-s01-gateway-1, sim-s01-gateway-2']);
    expect(parsed.ok && [...parsed.options.neverApply]).toEqual(['sim-s01-gateway-1', 'sim-s01-gateway-2']);
    expect(parseSimulatorArgs([]).ok && parseSimulatorArgs([])).toMatchObject({
      options: { neverApply: new Set() },
    });
    expect(parseSimulatorArgs(['--never-apply', 'a/b'])).toMatchObject({ ok: false });
  });

  it('turns excursions off with --excursions 0', () => {
    const parsed = parseSimulatorArgs(['--excursions', '0']);
    expect(parsed).toMatchObject({ ok: true, options: { excursionsPerHour: 0 } });
  });

  it('reads durations in seconds, minutes and hours', () => {
    const seconds = (d: string) => {
      const parsed = parseSimulatorArgs(['--duration', d]);
      return parsed.ok ? parsed.options.durationSeconds : undefined;
    };
    expect([seconds('90'), seconds('90s'), seconds('5m'), seconds('2h')]).toEqual([90, 90, 300, 7200]);
  });

  it('shares connections above the per-device connection limit', () => {
    const parsed = parseSimulatorArgs(['--devices', '500', '--shared-connections', '8']);
    expect(parsed).toMatchObject({ ok: true, options: { connectionMode: 'shared', sharedConnections: 8 } });
  });

  it('reports every invalid option at once', () => {
    const parsed = parseSimulatorArgs([
      '--devices',
      '0',
      '--rate',
      'fast',
      '--kinds',
      'toaster',
      '--url',
      'http://x',
    ]);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => e.split(':')[0])).toEqual(
      expect.arrayContaining(['--devices', '--rate', '--kinds.0', '--url']),
    );
  });

  it('rejects unknown flags', () => {
    expect(parseSimulatorArgs(['--devcies', '3'])).toMatchObject({ ok: false, help: false });
  });

  it('asks for help with --help', () => {
    expect(parseSimulatorArgs(['--help'])).toEqual({ ok: false, help: true, errors: [] });
  });
});
