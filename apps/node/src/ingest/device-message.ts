import type { z } from 'zod';
import {
  CommandAckPayload,
  ConfigReportedPayload,
  EventPayload,
  MAX_METRICS_PER_MESSAGE,
  MAX_PAYLOAD_BYTES,
  TelemetryPayload,
  type ParsedTopic,
  parseDeviceTopic,
  parseStatus,
  type DeadLetterReason,
  type DeviceQuarantine,
} from '@tierscope/shared';
import type {
  CommandAckRow,
  ConfigReportRow,
  DeadLetterRow,
  EventRow,
  SampleRow,
  StatusRow,
} from '../store/ingest-store.ts';

const DAY_MS = 86_400_000;
const PREVIEW_BYTES = 1024;
const MAX_TOPIC_CHARS = 1024;
const MAX_DETAIL_CHARS = 2000;
const MAX_ISSUES_LISTED = 5;

/** One delivered message as the parser sees it (live, or replayed from the journal). */
export interface DeviceMessage {
  seq: number;
  topic: string;
  /** The payload, or only its first bytes when the message was oversize (see `size`). */
  payload: Buffer;
  receivedAt: number;
  /** The whole message's size in bytes. */
  size: number;
}

export interface ParsePolicy {
  rawRetentionDays: number;
  unknownDevices: 'register' | 'reject';
  isKnownDevice(deviceId: string): boolean;
  /**
   * The device's quarantine in force when the message was received, if any. Asked with
   * `receivedAt`, so a replay agrees with the live parse unless the device was released since.
   */
  quarantineAt?(deviceId: string, receivedAt: number): DeviceQuarantine | undefined;
}

/** What one message becomes. Every variant carries the journal seq, which orders and checkpoints it. */
export type IngestItem =
  | { kind: 'samples'; seq: number; deviceId: string; receivedAt: number; samples: SampleRow[] }
  | { kind: 'event'; seq: number; deviceId: string; receivedAt: number; event: EventRow }
  | { kind: 'status'; seq: number; deviceId: string; receivedAt: number; status: StatusRow }
  | { kind: 'command-ack'; seq: number; deviceId: string; receivedAt: number; commandAck: CommandAckRow }
  | {
      kind: 'config-report';
      seq: number;
      deviceId: string;
      receivedAt: number;
      configReport: ConfigReportRow;
    }
  | { kind: 'dead-letter'; seq: number; deadLetter: DeadLetterRow };

export type IngestItemKind = IngestItem['kind'];

/**
 * Turns one device message into rows, or into a dead letter saying why not. Pure: the same
 * message and policy always give the same result, so a journal replay stores the same rows.
 * Time checks are relative to `receivedAt`, not the clock.
 */
export function parseDeviceMessage(message: DeviceMessage, policy: ParsePolicy): IngestItem {
  const topic = parseTopicCached(message.topic);
  // The hot path first: telemetry that passes the fast check, with a plausible timestamp.
  if (
    topic.ok &&
    topic.kind === 'telemetry' &&
    message.size <= MAX_PAYLOAD_BYTES &&
    (policy.unknownDevices === 'register' || policy.isKnownDevice(topic.deviceId)) &&
    !policy.quarantineAt?.(topic.deviceId, message.receivedAt)
  ) {
    const item = fastSamples(message, topic.deviceId, policy);
    if (item) return item;
  }
  return parseSlowly(message, policy);
}

function fastSamples(message: DeviceMessage, deviceId: string, policy: ParsePolicy): IngestItem | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message.payload.toString('utf8'));
  } catch {
    return undefined;
  }
  const telemetry = fastTelemetry(value);
  if (!telemetry) return undefined;
  const ts = telemetry.ts ?? message.receivedAt;
  if (checkTimestamp(ts, message.receivedAt, policy.rawRetentionDays)) return undefined;
  const samples: SampleRow[] = [];
  for (const metric in telemetry.metrics)
    samples.push({ deviceId, metric, ts, value: telemetry.metrics[metric]! });
  return { kind: 'samples', seq: message.seq, deviceId, receivedAt: message.receivedAt, samples };
}

/** Every check in full, with the dead letter's reason worded; also the path of every other kind of message. */
function parseSlowly(message: DeviceMessage, policy: ParsePolicy): IngestItem {
  const reject = (reason: DeadLetterReason, detail: string): IngestItem =>
    deadLetter(message, reason, detail);
  const topic = parseTopicCached(message.topic);
  // Whatever a quarantined device sends is kept for what it is: the reason is the quarantine.
  const quarantine = topic.ok ? policy.quarantineAt?.(topic.deviceId, message.receivedAt) : undefined;
  if (topic.ok && quarantine) return reject('quarantined', quarantineDetail(topic.deviceId, quarantine));
  if (message.size > MAX_PAYLOAD_BYTES) {
    return reject('oversize', `payload is ${message.size} bytes; the limit is ${MAX_PAYLOAD_BYTES} bytes`);
  }
  if (!topic.ok) return reject(topic.reason, topic.detail);
  if (topic.kind === 'commands' || topic.kind === 'config')
    return reject(
      'bad-topic',
      `topic "${clip(message.topic, 200)}" carries node → device ${topic.kind === 'config' ? 'configuration' : 'commands'}, not device data`,
    );
  const { deviceId } = topic;
  if (policy.unknownDevices === 'reject' && !policy.isKnownDevice(deviceId)) {
    return reject(
      'unknown-device',
      `device "${deviceId}" is not registered and this node rejects unknown devices`,
    );
  }
  const text = message.payload.toString('utf8');
  const base = { seq: message.seq, deviceId, receivedAt: message.receivedAt };

  if (topic.kind === 'status') {
    const status = parseStatus(text);
    if (!status) return reject('invalid-payload', 'status must be "online" or "offline"');
    return { ...base, kind: 'status', status: { deviceId, status, at: message.receivedAt } };
  }

  const json = parseJson(text);
  if (!json.ok) return reject('bad-json', `payload is not JSON: ${json.error}`);

  if (topic.kind === 'telemetry') {
    let telemetry = fastTelemetry(json.value);
    if (!telemetry) {
      const parsed = TelemetryPayload.safeParse(json.value);
      if (!parsed.success) return reject('invalid-payload', summariseIssues(parsed.error));
      telemetry = parsed.data;
    }
    const ts = telemetry.ts ?? message.receivedAt;
    const range = checkTimestamp(ts, message.receivedAt, policy.rawRetentionDays);
    if (range) return reject('timestamp-out-of-range', range);
    const samples: SampleRow[] = [];
    for (const metric in telemetry.metrics)
      samples.push({ deviceId, metric, ts, value: telemetry.metrics[metric]! });
    return { ...base, kind: 'samples', samples };
  }

  if (topic.kind === 'events') {
    const parsed = EventPayload.safeParse(json.value);
    if (!parsed.success) return reject('invalid-payload', summariseIssues(parsed.error));
    if (holdsUnstorableText(parsed.data)) return reject('invalid-payload', UNSTORABLE_TEXT);
    const ts = parsed.data.ts ?? message.receivedAt;
    const range = checkTimestamp(ts, message.receivedAt, policy.rawRetentionDays);
    if (range) return reject('timestamp-out-of-range', range);
    const { type, severity, message: text, attrs } = parsed.data;
    return {
      ...base,
      kind: 'event',
      event: { deviceId, ts, type, severity, message: text, attrs: attrs ?? {} },
    };
  }

  if (topic.kind === 'config/reported') {
    const report = ConfigReportedPayload.safeParse(json.value);
    if (!report.success) return reject('invalid-payload', summariseIssues(report.error));
    if (holdsUnstorableText(report.data)) return reject('invalid-payload', UNSTORABLE_TEXT);
    const { version, ok, error, config } = report.data;
    return {
      ...base,
      kind: 'config-report',
      configReport: {
        seq: message.seq,
        topic: message.topic,
        payloadPreview: payloadPreview(message.payload),
        size: message.size,
        deviceId,
        version,
        ok,
        error,
        config,
        at: message.receivedAt,
      },
    };
  }

  const parsed = CommandAckPayload.safeParse(json.value);
  if (!parsed.success) return reject('invalid-payload', summariseIssues(parsed.error));
  if (holdsUnstorableText(parsed.data)) return reject('invalid-payload', UNSTORABLE_TEXT);
  const { id, ok, result, error } = parsed.data;
  return {
    ...base,
    kind: 'command-ack',
    commandAck: {
      seq: message.seq,
      topic: message.topic,
      payloadPreview: payloadPreview(message.payload),
      size: message.size,
      deviceId,
      commandId: id,
      ok,
      at: message.receivedAt,
      result,
      error,
    },
  };
}

function quarantineDetail(deviceId: string, quarantine: DeviceQuarantine): string {
  const until = quarantine.until === null ? 'until released' : `until ${isoOrNumber(quarantine.until)}`;
  return `device "${deviceId}" is quarantined ${until} (by ${quarantine.by}): ${quarantine.reason}`;
}

// Device topics repeat: remember the last few thousand parsed (parseDeviceTopic is pure).
const TOPIC_CACHE_SIZE = 10_000;
const topicCache = new Map<string, ParsedTopic>();

function parseTopicCached(topic: string): ParsedTopic {
  let parsed = topicCache.get(topic);
  if (parsed === undefined) {
    parsed = parseDeviceTopic(topic);
    if (topicCache.size >= TOPIC_CACHE_SIZE) topicCache.clear();
    if (topic.length <= MAX_TOPIC_CHARS) topicCache.set(topic, parsed);
  }
  return parsed;
}

const METRIC_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
const MAX_DEVICE_TS = 8_640_000_000_000;

/**
 * The hot path's check of a telemetry payload: accepts only what TelemetryPayload surely accepts
 * (epoch-ms `ts` or none, 1–256 finite numbers under metric names, nothing else) and returns it as
 * the schema would. Anything else, valid or not (an ISO ts, a bad field), is left to the schema,
 * which also words the dead letter's reason. device-message.test.ts holds the two to the same answers.
 */
export function fastTelemetry(value: unknown): TelemetryPayload | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  let ts: number | undefined;
  let metrics: Record<string, number> | undefined;
  for (const key in value) {
    const field = (value as Record<string, unknown>)[key];
    if (key === 'ts') {
      if (typeof field !== 'number' || !Number.isInteger(field) || field < 0 || field > MAX_DEVICE_TS)
        return undefined;
      ts = field;
    } else if (key === 'metrics') {
      if (typeof field !== 'object' || field === null || Array.isArray(field)) return undefined;
      metrics = field as Record<string, number>;
    } else {
      return undefined;
    }
  }
  if (!metrics) return undefined;
  let count = 0;
  for (const name in metrics) {
    const metric = metrics[name];
    // `__proto__` is a valid name that a plain object cannot hold as its own: leave it to the schema.
    if (
      typeof metric !== 'number' ||
      !Number.isFinite(metric) ||
      !METRIC_NAME.test(name) ||
      name === '__proto__'
    )
      return undefined;
    count++;
  }
  if (count === 0 || count > MAX_METRICS_PER_MESSAGE) return undefined;
  return ts === undefined ? { metrics } : { ts, metrics };
}

/** The first KiB of a payload as text, safe to store in a PostgreSQL text column. */
export function payloadPreview(payload: Buffer): string {
  return storableText(payload.subarray(0, PREVIEW_BYTES).toString('utf8'));
}

function deadLetter(message: DeviceMessage, reason: DeadLetterReason, detail: string): IngestItem {
  return {
    kind: 'dead-letter',
    seq: message.seq,
    deadLetter: {
      seq: message.seq,
      receivedAt: message.receivedAt,
      topic: storableText(clip(message.topic, MAX_TOPIC_CHARS)),
      reason,
      detail: storableText(clip(detail, MAX_DETAIL_CHARS)),
      payloadPreview: payloadPreview(message.payload),
      size: message.size,
    },
  };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

function checkTimestamp(ts: number, receivedAt: number, retentionDays: number): string | undefined {
  const oldest = receivedAt - retentionDays * DAY_MS;
  if (ts < oldest)
    return `ts ${isoOrNumber(ts)} is older than the ${retentionDays}-day retention (received ${isoOrNumber(receivedAt)})`;
  if (ts > receivedAt + DAY_MS)
    return `ts ${isoOrNumber(ts)} is more than one day ahead of the time received (${isoOrNumber(receivedAt)})`;
  return undefined;
}

function isoOrNumber(ts: number): string {
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? String(ts) : date.toISOString();
}

/** Zod issues in one line a device developer can act on: `metrics.temp: expected number; …`. */
function summariseIssues(error: z.ZodError): string {
  const listed = error.issues.slice(0, MAX_ISSUES_LISTED).map((issue) => {
    const path = issue.path.map(String).join('.');
    // A bad record key's own reason (e.g. the metric-name pattern) sits one level down.
    const inner = issue.code === 'invalid_key' ? issue.issues[0]?.message : undefined;
    return `${path === '' ? '(payload)' : path}: ${issue.message}${inner ? ` (${inner})` : ''}`;
  });
  const more = error.issues.length - listed.length;
  return listed.join('; ') + (more > 0 ? `; and ${more} more` : '');
}

// PostgreSQL text and jsonb refuse U+0000 and unpaired surrogates; one such row would fail its
// whole batch forever, so such payloads become dead letters instead.
const NUL = '\u0000';
const LONE_SURROGATE = /\p{Surrogate}/u;
const LONE_SURROGATES = /\p{Surrogate}/gu;
const UNSTORABLE_TEXT =
  'payload holds a NUL character (\\u0000) or an unpaired surrogate, which the store cannot keep';

function holdsUnstorableText(value: unknown): boolean {
  if (typeof value === 'string') return isUnstorable(value);
  if (Array.isArray(value)) return value.some(holdsUnstorableText);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([key, inner]) => isUnstorable(key) || holdsUnstorableText(inner));
  }
  return false;
}

function isUnstorable(text: string): boolean {
  return text.includes(NUL) || LONE_SURROGATE.test(text);
}

function storableText(text: string): string {
  return text.replaceAll(NUL, '\uFFFD').replace(LONE_SURROGATES, '\uFFFD');
}

function clip(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text;
}
