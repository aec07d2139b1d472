import { describe, expect, it } from 'vitest';
import { EventPayload, parseDeviceTopic, parseStatus, TelemetryPayload } from './device-api.ts';

describe('device API payloads', () => {
  it('accepts telemetry with an ISO timestamp and turns it into epoch ms', () => {
    const parsed = TelemetryPayload.parse({ ts: '2026-11-22T10:00:00Z', metrics: { temp: 21.5 } });
    expect(parsed.ts).toBe(Date.parse('2026-11-22T10:00:00Z'));
  });

  it('refuses telemetry whose metric value is not a number', () => {
    expect(TelemetryPayload.safeParse({ metrics: { temp: 'hot' } }).success).toBe(false);
  });

  it('refuses telemetry with an unknown field', () => {
    expect(TelemetryPayload.safeParse({ metrics: { temp: 1 }, extra: true }).success).toBe(false);
  });

  it('refuses telemetry with no metrics', () => {
    expect(TelemetryPayload.safeParse({ metrics: {} }).success).toBe(false);
  });

  it('refuses an event with an unknown severity', () => {
    expect(EventPayload.safeParse({ type: 'door', severity: 'fatal', message: 'x' }).success).toBe(false);
  });

  it('reads the device id and kind from a device topic', () => {
    expect(parseDeviceTopic('devices/x1/commands/ack')).toEqual({
      ok: true,
      deviceId: 'x1',
      kind: 'commands/ack',
    });
  });

  it('names a bad device id and a topic outside the API differently', () => {
    expect(parseDeviceTopic('devices/bad id/telemetry')).toMatchObject({
      ok: false,
      reason: 'bad-device-id',
    });
    expect(parseDeviceTopic('devices/x1/firmware')).toMatchObject({ ok: false, reason: 'bad-topic' });
  });

  it('accepts a status word bare or JSON-quoted, and nothing else', () => {
    expect(parseStatus('online')).toBe('online');
    expect(parseStatus('"offline"')).toBe('offline');
    expect(parseStatus('maybe')).toBeUndefined();
  });
});
