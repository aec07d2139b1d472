import { z } from 'zod';
import { DeviceId, Labels, MetricName, NodePath } from '../domain/ids.ts';
import { Limit, Cursor, pageOf } from '../domain/page.ts';
import { Timestamp } from '../domain/time.ts';
import { Coverage } from '../domain/coverage.ts';

export const DeviceStatus = z.enum(['online', 'offline', 'unknown']);
export type DeviceStatus = z.infer<typeof DeviceStatus>;

export const LatestValue = z.object({ value: z.number(), ts: Timestamp });
export type LatestValue = z.infer<typeof LatestValue>;

/**
 * A device in quarantine: its broker connection is refused and dropped, and its messages become
 * dead letters (reason `quarantined`) until it is released or `until` passes (null: until released).
 */
export const DeviceQuarantine = z.object({
  reason: z.string().min(1).max(500),
  until: Timestamp.nullable(),
  /** Who quarantined it, and when. */
  by: z.string().max(200),
  at: Timestamp,
});
export type DeviceQuarantine = z.infer<typeof DeviceQuarantine>;

/** From one second to one day. */
export const ExpectedIntervalMs = z.number().int().min(1000).max(86_400_000);

export const Device = z.object({
  id: DeviceId,
  nodePath: NodePath,
  name: z.string().max(200),
  kind: z.string().max(64),
  site: z.string().max(200),
  labels: Labels,
  status: DeviceStatus,
  firstSeen: Timestamp,
  lastSeen: Timestamp.nullable(),
  latest: z.record(MetricName, LatestValue),
  /**
   * How often the device is expected to be heard from (ms); three of these with nothing heard make
   * it silent, counted as down in reports. Absent from nodes that predate it.
   */
  expectedIntervalMs: ExpectedIntervalMs.optional(),
  /** Present while the device is quarantined; absent otherwise (and from nodes that predate it). */
  quarantine: DeviceQuarantine.optional(),
});
export type Device = z.infer<typeof Device>;

/** `key=value`: devices whose label `key` equals `value`. */
export const LabelFilter = z
  .string()
  .max(300)
  .regex(/^[A-Za-z0-9_.-]{1,64}=.{0,256}$/, 'label filter: key=value');

/** Devices come in order of name, then node path, then id; the cursor continues that order. */
export const ListDevicesInput = z
  .object({
    search: z.string().max(200).optional(),
    status: DeviceStatus.optional(),
    label: LabelFilter.optional(),
    site: z.string().max(200).optional(),
    /** Only items of this node and its subtree. */
    nodePath: NodePath.optional(),
    limit: Limit,
    cursor: Cursor.optional(),
  })
  .prefault({});
export type ListDevicesInput = z.infer<typeof ListDevicesInput>;

export const DevicePage = pageOf(Device);
export type DevicePage = z.infer<typeof DevicePage>;

/**
 * Counts devices of a subtree (the whole node without `nodePath`) by status; with filters, only the
 * devices matching every one (what a bulk command's selector picks, counted before it is sent).
 */
export const CountDevicesInput = z
  .object({
    /** Only devices of this node and its subtree. */
    nodePath: NodePath.optional(),
    kind: z.string().max(64).optional(),
    site: z.string().max(200).optional(),
    label: LabelFilter.optional(),
    status: DeviceStatus.optional(),
  })
  .prefault({});
export type CountDevicesInput = z.infer<typeof CountDevicesInput>;

/**
 * Devices by status, summed over every node that answered: with `coverage.answered < asked` each
 * figure is a lower bound.
 */
export const DeviceCounts = z.object({
  total: z.number().int().min(0),
  byStatus: z.record(DeviceStatus, z.number().int().min(0)),
  coverage: Coverage,
});
export type DeviceCounts = z.infer<typeof DeviceCounts>;

/** Single-item calls name the owning node, so a federating node routes them instead of fanning out. */
export const DeviceRef = z.object({ nodePath: NodePath.optional(), deviceId: DeviceId });
export type DeviceRef = z.infer<typeof DeviceRef>;

export const UpsertDeviceInput = DeviceRef.extend({
  name: z.string().min(1).max(200).optional(),
  kind: z.string().max(64).optional(),
  site: z.string().max(200).optional(),
  labels: Labels.optional(),
  expectedIntervalMs: ExpectedIntervalMs.optional(),
});
export type UpsertDeviceInput = z.infer<typeof UpsertDeviceInput>;

/** Makes new broker credentials for a device; the previous password stops working at once. */
export const RotateDeviceCredentialsInput = DeviceRef;
export type RotateDeviceCredentialsInput = z.infer<typeof RotateDeviceCredentialsInput>;

/**
 * What a device logs in to its node's broker with. The password is shown this once: the node keeps
 * only its hash, so a lost password is replaced by rotating again.
 */
export const DeviceCredentials = z.object({
  deviceId: DeviceId,
  nodePath: NodePath,
  /** The MQTT username: the device id. */
  username: z.string().min(1).max(128),
  password: z.string().min(1).max(256),
  createdAt: Timestamp,
});
export type DeviceCredentials = z.infer<typeof DeviceCredentials>;

export const QuarantineDeviceInput = DeviceRef.extend({
  /** When the quarantine lifts by itself; must be in the future. Omitted: until released. */
  until: Timestamp.optional(),
  reason: z.string().trim().min(1).max(500),
});
export type QuarantineDeviceInput = z.infer<typeof QuarantineDeviceInput>;

/** Ends a device's quarantine now; releasing a device that is not quarantined changes nothing. */
export const ReleaseDeviceInput = DeviceRef;
export type ReleaseDeviceInput = z.infer<typeof ReleaseDeviceInput>;
