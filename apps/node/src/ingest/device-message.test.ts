import { describe, expect, it } from 'vitest';
import { TelemetryPayload } from '@tierscope/shared';
import {
  fastTelemetry,
  parseDeviceMessage,
  type DeviceMessage,
  type IngestItem,
  type ParsePolicy,
} from './device-message.ts';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const DAY = 86_400_000;
const policy: ParsePolicy = { rawRetentionDays: 30, unknownDevices: 'register', isKnownDevice: () => false };

function message(
  topic: string,
  payload: string | Buffer,
  overrides: Partial<DeviceMessage> = {},
): DeviceMessage {
  const buffer = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return { seq: 17, topic, payload: buffer, receivedAt: NOW, size: buffer.length, ...overrides };
}

function deadLetterOf(item: IngestItem) {
  if (item.kind !== 'dead-letter') throw new Error(`expected a dead letter, got ${item.kind}`);
  return item.deadLetter;
}

describe('parseDeviceMessage', () => {
  it('turns telemetry into one sample per metric at the device ts', () => {
    const item = parseDeviceMessage(
      message('devices/d-1/telemetry', JSON.stringify({ ts: NOW - 5000, metrics: { temp: 22.5, rh: 40 } })),
      policy,
    );
    expect(item).toEqual({
      kind: 'samples',
      seq: 17,
      deviceId: 'd-1',
      receivedAt: NOW,
      samples: [
        { deviceId: 'd-1', metric: 'temp', ts: NOW - 5000, value: 22.5 },
        { deviceId: 'd-1', metric: 'rh', ts: NOW - 5000, value: 40 },
      ],
    });
  });

  it('stamps telemetry without ts with the journaled receive time, and accepts ISO ts', () => {
    const noTs = parseDeviceMessage(message('devices/d-1/telemetry', '{"metrics":{"t":1}}'), policy);
    expect(noTs.kind === 'samples' && noTs.samples[0]!.ts).toBe(NOW);
    const iso = parseDeviceMessage(
      message('devices/d-1/telemetry', '{"ts":"2025-06-01T11:00:00Z","metrics":{"t":1}}'),
      policy,
    );
    expect(iso.kind === 'samples' && iso.samples[0]!.ts).toBe(NOW - 3_600_000);
  });

  it('parses events, statuses (bare or quoted) and command acks', () => {
    const event = parseDeviceMessage(
      message('devices/d-1/events', '{"type":"door","severity":"warning","message":"open","attrs":{"n":1}}'),
      policy,
    );
    expect(event).toMatchObject({
      kind: 'event',
      event: {
        deviceId: 'd-1',
        ts: NOW,
        type: 'door',
        severity: 'warning',
        message: 'open',
        attrs: { n: 1 },
      },
    });
    expect(parseDeviceMessage(message('devices/d-1/status', 'offline'), policy)).toMatchObject({
      kind: 'status',
      status: { deviceId: 'd-1', status: 'offline', at: NOW },
    });
    expect(parseDeviceMessage(message('devices/d-1/status', '"online"'), policy)).toMatchObject({
      kind: 'status',
      status: { status: 'online' },
    });
    const ack = parseDeviceMessage(
      message('devices/d-1/commands/ack', '{"id":"c1","ok":false,"error":"busy"}'),
      policy,
    );
    expect(ack).toMatchObject({
      kind: 'command-ack',
      commandAck: { deviceId: 'd-1', commandId: 'c1', ok: false, error: 'busy', at: NOW },
    });
  });

  it('parses a config report, ok when it says nothing, with the document the device runs', () => {
    expect(parseDeviceMessage(message('devices/d-1/config/reported', '{"version":3}'), policy)).toMatchObject(
      { kind: 'config-report', configReport: { deviceId: 'd-1', version: 3, ok: true, at: NOW } },
    );
    expect(
      parseDeviceMessage(
        message(
          'devices/d-1/config/reported',
          '{"version":4,"ok":false,"error":"no such mode","config":{"a":1}}',
        ),
        policy,
      ),
    ).toMatchObject({
      kind: 'config-report',
      configReport: { version: 4, ok: false, error: 'no such mode', config: { a: 1 }, seq: 17 },
    });
  });

  it('dead-letters a config report without a whole positive version, and the node → device config topic', () => {
    for (const payload of [
      '{}',
      '{"version":0}',
      '{"version":1.5}',
      '{"version":"2"}',
      '{"version":1,"x":1}',
    ])
      expect(
        deadLetterOf(parseDeviceMessage(message('devices/d-1/config/reported', payload), policy)).reason,
        payload,
      ).toBe('invalid-payload');
    const config = deadLetterOf(parseDeviceMessage(message('devices/d-1/config', '{"version":1}'), policy));
    expect(config.reason).toBe('bad-topic');
    expect(config.detail).toContain('configuration');
  });

  it('refuses an oversize payload before parsing it, from its size', () => {
    const dead = deadLetterOf(
      parseDeviceMessage(
        message('devices/d-1/telemetry', Buffer.from('{"metrics":'), { size: 300_000 }),
        policy,
      ),
    );
    expect(dead).toMatchObject({
      seq: 17,
      reason: 'oversize',
      size: 300_000,
      payloadPreview: '{"metrics":',
      topic: 'devices/d-1/telemetry',
    });
    expect(dead.detail).toContain('262144');
  });

  it('refuses topics outside the device API, including the node → device commands topic', () => {
    expect(deadLetterOf(parseDeviceMessage(message('sensors/x/telemetry', '{}'), policy)).reason).toBe(
      'bad-topic',
    );
    expect(deadLetterOf(parseDeviceMessage(message('devices/x/firmware', '{}'), policy)).reason).toBe(
      'bad-topic',
    );
    const commands = deadLetterOf(parseDeviceMessage(message('devices/x/commands', '{}'), policy));
    expect(commands.reason).toBe('bad-topic');
    expect(commands.detail).toContain('commands');
  });

  it('refuses device ids outside [A-Za-z0-9._:-]{1,128}', () => {
    expect(deadLetterOf(parseDeviceMessage(message('devices/bad id!/telemetry', '{}'), policy)).reason).toBe(
      'bad-device-id',
    );
    expect(deadLetterOf(parseDeviceMessage(message('devices//telemetry', '{}'), policy)).reason).toBe(
      'bad-device-id',
    );
    expect(
      deadLetterOf(parseDeviceMessage(message(`devices/${'a'.repeat(129)}/telemetry`, '{}'), policy)).reason,
    ).toBe('bad-device-id');
  });

  it('refuses payloads that are not JSON, saying where', () => {
    const dead = deadLetterOf(
      parseDeviceMessage(message('devices/d-1/telemetry', '{"metrics": {temp: 1}}'), policy),
    );
    expect(dead.reason).toBe('bad-json');
    expect(dead.detail).toMatch(/^payload is not JSON: /);
    expect(dead.payloadPreview).toBe('{"metrics": {temp: 1}}');
  });

  it.each([
    ['no metrics', '{"ts":1}', 'metrics'],
    ['empty metrics', '{"metrics":{}}', 'at least one value'],
    ['a string value', '{"metrics":{"temp":"hot"}}', 'metrics.temp'],
    ['a bad metric name', '{"metrics":{"te mp":1}}', 'metric name'],
    ['an unknown key', '{"metrics":{"t":1},"extra":true}', 'extra'],
    ['a bad ts', '{"ts":"yesterday","metrics":{"t":1}}', 'ts'],
    ['a float ts', '{"ts":1.5,"metrics":{"t":1}}', 'ts'],
    ['an array', '[1,2]', '(payload)'],
  ])('refuses telemetry with %s as invalid-payload, naming the field', (_name, payload, mention) => {
    const dead = deadLetterOf(parseDeviceMessage(message('devices/d-1/telemetry', payload), policy));
    expect(dead.reason).toBe('invalid-payload');
    expect(dead.detail).toContain(mention);
  });

  it('refuses telemetry with more than 256 metrics', () => {
    const metrics = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`m${i}`, i]));
    expect(
      deadLetterOf(parseDeviceMessage(message('devices/d-1/telemetry', JSON.stringify({ metrics })), policy))
        .detail,
    ).toContain('at most 256');
  });

  it('summarises many zod issues in one bounded line', () => {
    const metrics = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`m${i}`, 'x']));
    const dead = deadLetterOf(
      parseDeviceMessage(message('devices/d-1/telemetry', JSON.stringify({ metrics })), policy),
    );
    expect(dead.detail).toMatch(/and 15 more$/);
    expect(dead.detail.length).toBeLessThanOrEqual(2000);
  });

  it.each([
    ['events without severity', 'devices/d-1/events', '{"type":"x","message":"m"}', 'severity'],
    [
      'events with a bad severity',
      'devices/d-1/events',
      '{"type":"x","severity":"fatal","message":"m"}',
      'severity',
    ],
    [
      'events with a NUL in the message',
      'devices/d-1/events',
      '{"type":"x","severity":"info","message":"a\\u0000b"}',
      'NUL',
    ],
    [
      'events with a lone surrogate in attrs',
      'devices/d-1/events',
      '{"type":"x","severity":"info","message":"m","attrs":{"k":"\\ud800"}}',
      'surrogate',
    ],
    ['a status that is not online or offline', 'devices/d-1/status', 'sleeping', 'online'],
    ['a command ack without ok', 'devices/d-1/commands/ack', '{"id":"c1"}', 'ok'],
  ])('refuses %s as invalid-payload', (_name, topic, payload, mention) => {
    const dead = deadLetterOf(parseDeviceMessage(message(topic, payload), policy));
    expect(dead.reason).toBe('invalid-payload');
    expect(dead.detail).toContain(mention);
  });

  it('refuses unknown devices under the reject policy and admits known ones', () => {
    const reject: ParsePolicy = {
      ...policy,
      unknownDevices: 'reject',
      isKnownDevice: (id) => id === 'known',
    };
    expect(
      deadLetterOf(parseDeviceMessage(message('devices/stranger/telemetry', '{"metrics":{"t":1}}'), reject))
        .reason,
    ).toBe('unknown-device');
    expect(parseDeviceMessage(message('devices/known/telemetry', '{"metrics":{"t":1}}'), reject).kind).toBe(
      'samples',
    );
    expect(
      parseDeviceMessage(message('devices/stranger/telemetry', '{"metrics":{"t":1}}'), policy).kind,
    ).toBe('samples');
  });

  it('dead-letters every message of a quarantined device with reason quarantined, and only while in force', () => {
    const quarantine = { reason: 'leaked credentials', until: NOW + 60_000, by: 'ops', at: NOW - 1000 };
    const quarantined: ParsePolicy = {
      ...policy,
      quarantineAt: (id, at) =>
        id === 'bad' && at >= quarantine.at && at < quarantine.until ? quarantine : undefined,
    };
    for (const [topic, payload] of [
      ['devices/bad/telemetry', '{"metrics":{"t":1}}'],
      ['devices/bad/status', 'online'],
      ['devices/bad/events', 'not json'],
      ['devices/bad/telemetry', 'x'.repeat(300 * 1024)],
    ] as const) {
      const dead = deadLetterOf(parseDeviceMessage(message(topic, payload), quarantined));
      expect(dead.reason).toBe('quarantined');
      expect(dead.detail).toContain('leaked credentials');
      expect(dead.detail).toContain(new Date(quarantine.until).toISOString());
    }
    expect(
      parseDeviceMessage(message('devices/good/telemetry', '{"metrics":{"t":1}}'), quarantined).kind,
    ).toBe('samples');
    // Received before the quarantine began, or after it lifted: stored as usual.
    for (const receivedAt of [quarantine.at - 1, quarantine.until]) {
      const item = parseDeviceMessage(
        message('devices/bad/telemetry', '{"metrics":{"t":1}}', { receivedAt }),
        quarantined,
      );
      expect(item.kind).toBe('samples');
    }
  });

  it('refuses timestamps older than retention or more than a day ahead of the receive time', () => {
    const old = deadLetterOf(
      parseDeviceMessage(
        message('devices/d-1/telemetry', JSON.stringify({ ts: NOW - 31 * DAY, metrics: { t: 1 } })),
        policy,
      ),
    );
    expect(old.reason).toBe('timestamp-out-of-range');
    expect(old.detail).toContain('30-day retention');
    const ahead = deadLetterOf(
      parseDeviceMessage(
        message(
          'devices/d-1/events',
          JSON.stringify({ ts: NOW + DAY + 1, type: 't', severity: 'info', message: '' }),
        ),
        policy,
      ),
    );
    expect(ahead.reason).toBe('timestamp-out-of-range');
    expect(
      parseDeviceMessage(
        message('devices/d-1/telemetry', JSON.stringify({ ts: NOW + DAY, metrics: { t: 1 } })),
        policy,
      ).kind,
    ).toBe('samples');
  });

  it('keeps the first KiB of the payload as a storable text preview', () => {
    const payload = Buffer.concat([Buffer.from('\u0000'), Buffer.alloc(2000, 'x')]);
    const dead = deadLetterOf(parseDeviceMessage(message('devices/d-1/telemetry', payload), policy));
    expect(dead.size).toBe(2001);
    expect(dead.payloadPreview).toHaveLength(1024);
    expect(dead.payloadPreview.startsWith('\uFFFD')).toBe(true);
  });

  it('gives the same result when replayed later (time checks use receivedAt)', () => {
    const msg = message('devices/d-1/telemetry', '{"metrics":{"t":1}}');
    expect(parseDeviceMessage(msg, policy)).toEqual(parseDeviceMessage({ ...msg }, policy));
  });

  it('takes the fast telemetry check only for payloads the schema accepts, with the same result', () => {
    const payloads = [
      '{"ts":1717243200000,"metrics":{"temperature_c":21.5,"humidity_pct":40}}',
      '{"metrics":{"a":1}}',
      '{"metrics":{"a":-0,"b.c:d-e_f":1e-300}}',
      '{"ts":0,"metrics":{"x":1}}',
      '{"ts":8640000000000,"metrics":{"x":1}}',
      '{"ts":8640000000001,"metrics":{"x":1}}',
      '{"ts":-1,"metrics":{"x":1}}',
      '{"ts":1.5,"metrics":{"x":1}}',
      '{"ts":"2025-06-01T11:00:00Z","metrics":{"x":1}}',
      '{"ts":null,"metrics":{"x":1}}',
      '{"metrics":{}}',
      '{"metrics":[]}',
      '{"metrics":null}',
      '{"metrics":{"x":"1"}}',
      '{"metrics":{"x":null}}',
      '{"metrics":{"x":true}}',
      '{"metrics":{"bad name":1}}',
      '{"metrics":{"":1}}',
      `{"metrics":{"${'m'.repeat(65)}":1}}`,
      '{"metrics":{"__proto__":1}}',
      '{"metrics":{"x":1},"extra":1}',
      '{"ts":1}',
      '[]',
      '1',
      'null',
      JSON.stringify({ metrics: Object.fromEntries(Array.from({ length: 256 }, (_, i) => [`m${i}`, i])) }),
      JSON.stringify({ metrics: Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`m${i}`, i])) }),
    ];
    let fast = 0;
    for (const payload of payloads) {
      const value: unknown = JSON.parse(payload);
      const quick = fastTelemetry(value);
      const schema = TelemetryPayload.safeParse(value);
      if (quick) {
        fast++;
        expect(schema.success, payload).toBe(true);
        expect(quick, payload).toEqual(schema.data);
      }
    }
    expect(fast).toBe(6);
  });
});
