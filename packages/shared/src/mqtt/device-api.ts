import { z } from 'zod';
import { DeviceId, MetricName } from '../domain/ids.ts';
import { Severity } from '../domain/severity.ts';

/** Payloads over this size are refused before parsing. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
export const MAX_METRICS_PER_MESSAGE = 256;

export const DEVICE_TOPIC_FILTERS = [
  'devices/+/telemetry',
  'devices/+/events',
  'devices/+/status',
  'devices/+/commands/ack',
  'devices/+/config/reported',
] as const;

export type DeviceTopicKind =
  'telemetry' | 'events' | 'status' | 'commands/ack' | 'commands' | 'config/reported' | 'config';

export type ParsedTopic =
  | { ok: true; deviceId: string; kind: DeviceTopicKind }
  | { ok: false; reason: 'bad-topic' | 'bad-device-id'; detail: string };

const TOPIC_KINDS: readonly string[] = [
  'telemetry',
  'events',
  'status',
  'commands/ack',
  'commands',
  'config/reported',
  'config',
];

export function parseDeviceTopic(topic: string): ParsedTopic {
  const match = /^devices\/([^/]*)\/(.+)$/.exec(topic);
  if (!match || !TOPIC_KINDS.includes(match[2]!)) {
    return {
      ok: false,
      reason: 'bad-topic',
      detail: `topic "${topic.slice(0, 200)}" is not part of the device API`,
    };
  }
  const deviceId = match[1]!;
  if (!DeviceId.safeParse(deviceId).success) {
    return {
      ok: false,
      reason: 'bad-device-id',
      detail: `device id "${deviceId.slice(0, 200)}" is not [A-Za-z0-9._:-]{1,128}`,
    };
  }
  return { ok: true, deviceId, kind: match[2] as DeviceTopicKind };
}

/** Epoch milliseconds, or an ISO 8601 date-time with an offset; becomes epoch ms. */
export const DeviceTimestamp = z
  .union([
    z.number().int().min(0).max(8_640_000_000_000),
    z.iso.datetime({ offset: true }).transform((iso) => Date.parse(iso)),
  ])
  .optional();

export const TelemetryPayload = z.strictObject({
  ts: DeviceTimestamp,
  metrics: z
    .record(MetricName, z.number().finite())
    .refine((m) => Object.keys(m).length > 0, 'metrics must hold at least one value')
    .refine(
      (m) => Object.keys(m).length <= MAX_METRICS_PER_MESSAGE,
      `at most ${MAX_METRICS_PER_MESSAGE} metrics`,
    ),
});
export type TelemetryPayload = z.infer<typeof TelemetryPayload>;

export const EventPayload = z.strictObject({
  ts: DeviceTimestamp,
  type: z.string().min(1).max(64),
  severity: Severity,
  message: z.string().max(2000),
  attrs: z
    .record(z.string().max(64), z.unknown())
    .refine((a) => Object.keys(a).length <= 64, 'at most 64 attrs')
    .optional(),
});
export type EventPayload = z.infer<typeof EventPayload>;

export const StatusPayload = z.enum(['online', 'offline']);
export type StatusPayload = z.infer<typeof StatusPayload>;

export const CommandPayload = z.strictObject({
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(64),
  params: z.record(z.string().max(64), z.unknown()).optional(),
});
export type CommandPayload = z.infer<typeof CommandPayload>;

export const CommandAckPayload = z.strictObject({
  id: z.string().min(1).max(64),
  ok: z.boolean(),
  result: z.record(z.string().max(64), z.unknown()).optional(),
  error: z.string().max(2000).optional(),
});
export type CommandAckPayload = z.infer<typeof CommandAckPayload>;

/** The most JSON one configuration document may hold. */
export const MAX_CONFIG_BYTES = 64 * 1024;

/** A device's configuration: a JSON object, at most MAX_CONFIG_BYTES as JSON. */
export const ConfigDocument = z
  .record(z.string().max(128), z.unknown())
  .refine((config) => JSON.stringify(config).length <= MAX_CONFIG_BYTES, {
    message: `config: at most ${MAX_CONFIG_BYTES / 1024} KiB of JSON`,
  });
export type ConfigDocument = z.infer<typeof ConfigDocument>;

/** A configuration's version: counts up from 1 per device. */
export const ConfigVersion = z.number().int().min(1).max(2_147_483_647);

/** The desired configuration, retained on `devices/{id}/config` (node → device). */
export const ConfigPayload = z.strictObject({ version: ConfigVersion, config: ConfigDocument });
export type ConfigPayload = z.infer<typeof ConfigPayload>;

/**
 * What the device applied (`devices/{id}/config/reported`): the version, whether it applied it
 * (`ok`, true when absent), why not, and optionally the document it now runs, which the node
 * compares with the desired one.
 */
export const ConfigReportedPayload = z.strictObject({
  version: ConfigVersion,
  ok: z.boolean().default(true),
  error: z.string().max(2000).optional(),
  config: ConfigDocument.optional(),
});
export type ConfigReportedPayload = z.infer<typeof ConfigReportedPayload>;

/** Status is a bare word; devices that send it JSON-quoted are accepted too. */
export function parseStatus(text: string): StatusPayload | undefined {
  const word = text.trim().replace(/^"(.*)"$/, '$1');
  const parsed = StatusPayload.safeParse(word);
  return parsed.success ? parsed.data : undefined;
}

export function telemetryTopic(deviceId: string): string {
  return `devices/${deviceId}/telemetry`;
}
export function eventsTopic(deviceId: string): string {
  return `devices/${deviceId}/events`;
}
export function statusTopic(deviceId: string): string {
  return `devices/${deviceId}/status`;
}
export function commandsTopic(deviceId: string): string {
  return `devices/${deviceId}/commands`;
}
export function commandAckTopic(deviceId: string): string {
  return `devices/${deviceId}/commands/ack`;
}
export function configTopic(deviceId: string): string {
  return `devices/${deviceId}/config`;
}
export function configReportedTopic(deviceId: string): string {
  return `devices/${deviceId}/config/reported`;
}
