import { z } from 'zod';
import { Coverage } from '../domain/coverage.ts';
import { DeviceId, NodePath } from '../domain/ids.ts';
import { Cursor, Limit, pageOf } from '../domain/page.ts';
import { Timestamp } from '../domain/time.ts';
import { ConfigDocument, ConfigVersion } from '../mqtt/device-api.ts';
import { CommandSelector } from './commands.schemas.ts';

/**
 * How a device's configuration stands (docs/decisions/0036-desired-configuration.md):
 * `in_sync`: it reported the desired version, applied, and (if it sent one) the same document;
 * `pending`: it has not reported the desired version yet, and the version was set less than the
 * node's grace period ago; `drifted`: anything else — still behind past the grace, refused the
 * version, or runs a document other than the desired one.
 */
export const ConfigState = z.enum(['in_sync', 'pending', 'drifted']);
export type ConfigState = z.infer<typeof ConfigState>;

/** The configuration a device should run, as its node keeps it. */
export const DesiredConfig = z.object({
  version: ConfigVersion,
  config: ConfigDocument,
  /** Who set it (`user:alice`). */
  setBy: z.string().max(300),
  setAt: Timestamp,
});
export type DesiredConfig = z.infer<typeof DesiredConfig>;

/** The device's latest report of what it applied. */
export const ReportedConfig = z.object({
  version: ConfigVersion,
  ok: z.boolean(),
  error: z.string().max(2000).nullable(),
  /** The document the device says it runs, when it sent one. */
  config: ConfigDocument.nullable(),
  reportedAt: Timestamp,
});
export type ReportedConfig = z.infer<typeof ReportedConfig>;

/** One difference between the desired document and the device's, by JSON path (`a.b`). */
export const ConfigDifference = z.object({
  path: z.string().max(2000),
  change: z.enum(['added', 'removed', 'changed']),
  desired: z.unknown().optional(),
  reported: z.unknown().optional(),
});
export type ConfigDifference = z.infer<typeof ConfigDifference>;

/**
 * One device's configuration: desired, reported, the state, and what the device lacks (`diff`:
 * `added` = desired but not on the device). `diff` is null when the device's document is not
 * known (it sent none, and its version is no longer kept at the node), or there is no desired one.
 */
export const DeviceConfig = z.object({
  nodePath: NodePath,
  deviceId: DeviceId,
  desired: DesiredConfig.nullable(),
  reported: ReportedConfig.nullable(),
  /** Null while no configuration was set for the device. */
  state: ConfigState.nullable(),
  diff: z.array(ConfigDifference).nullable(),
  /** The owning node's grace period: how long a new version is `pending` before it is `drifted`. */
  graceMs: z.number().int().min(0),
});
export type DeviceConfig = z.infer<typeof DeviceConfig>;

/**
 * A new desired configuration for every device the selector picks (one device: its `nodePath` and
 * `deviceIds: [id]`). Each owning node gives each device its next version and publishes it,
 * retained, on the device's config topic.
 */
export const SetConfigInput = z.object({ selector: CommandSelector, config: ConfigDocument });
export type SetConfigInput = z.infer<typeof SetConfigInput>;

/** A device that got the new configuration, and its version. */
export const ConfigChangeItem = z.object({ nodePath: NodePath, deviceId: DeviceId, version: ConfigVersion });
export type ConfigChangeItem = z.infer<typeof ConfigChangeItem>;

/**
 * The devices that got a configuration, by node path then device id, from every node that
 * answered; the coverage names each node that did not (its devices did not get it).
 */
export const ConfigChange = z.object({
  total: z.number().int().min(0),
  items: z.array(ConfigChangeItem),
  coverage: Coverage,
});
export type ConfigChange = z.infer<typeof ConfigChange>;

/** The configured devices of a subtree, in devices.list order (name, node path, id). */
export const ListConfigsInput = z.object({
  nodePath: NodePath.optional(),
  /** Only devices in this state. */
  state: ConfigState.optional(),
  limit: Limit,
  cursor: Cursor.optional(),
});
export type ListConfigsInput = z.infer<typeof ListConfigsInput>;

/** A configured device in a list: where its configuration stands. */
export const ConfigListItem = z.object({
  nodePath: NodePath,
  /** The device's id (the field name devices.list's order reads). */
  id: DeviceId,
  name: z.string(),
  state: ConfigState,
  desiredVersion: ConfigVersion,
  setAt: Timestamp,
  reportedVersion: ConfigVersion.nullable(),
  reportedAt: Timestamp.nullable(),
  /** The device's error when it refused the version it reported. */
  error: z.string().max(2000).nullable(),
});
export type ConfigListItem = z.infer<typeof ConfigListItem>;

export const ConfigPage = pageOf(ConfigListItem);
export type ConfigPage = z.infer<typeof ConfigPage>;

export const CountConfigsInput = z.object({ nodePath: NodePath.optional() }).prefault({});
export type CountConfigsInput = z.infer<typeof CountConfigsInput>;

/**
 * Configured devices by state, summed over the nodes that answered (a lower bound when one did not).
 * `total` counts devices with a desired configuration; the others are not counted.
 */
export const ConfigCounts = z.object({
  total: z.number().int().min(0),
  byState: z.record(ConfigState, z.number().int().min(0)),
  coverage: Coverage,
});
export type ConfigCounts = z.infer<typeof ConfigCounts>;
