import { z } from 'zod';
import { DeviceId, Labels, MetricName, NodePath } from '../domain/ids.ts';
import { Limit, Cursor, pageOf } from '../domain/page.ts';
import { Timestamp } from '../domain/time.ts';

export const DeviceStatus = z.enum(['online', 'offline', 'unknown']);
export type DeviceStatus = z.infer<typeof DeviceStatus>;

export const LatestValue = z.object({ value: z.number(), ts: Timestamp });
export type LatestValue = z.infer<typeof LatestValue>;

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
    limit: Limit,
    cursor: Cursor.optional(),
  })
  .prefault({});
export type ListDevicesInput = z.infer<typeof ListDevicesInput>;

export const DevicePage = pageOf(Device);
export type DevicePage = z.infer<typeof DevicePage>;

/** Single-item calls name the owning node, so a federating node routes them instead of fanning out. */
export const DeviceRef = z.object({ nodePath: NodePath.optional(), deviceId: DeviceId });
export type DeviceRef = z.infer<typeof DeviceRef>;

export const UpsertDeviceInput = DeviceRef.extend({
  name: z.string().min(1).max(200).optional(),
  kind: z.string().max(64).optional(),
  site: z.string().max(200).optional(),
  labels: Labels.optional(),
});
export type UpsertDeviceInput = z.infer<typeof UpsertDeviceInput>;
