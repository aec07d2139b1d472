import { z } from 'zod';
import { DeviceId, Labels, NodePath } from '../domain/ids.ts';
import { DeviceCredentials } from './devices.schemas.ts';

/*
 * Provisioning: devices made on a chosen node with broker credentials shown once
 * (docs/decisions/0025-device-provisioning.md).
 */

/** What a new device is: its id and how the console names and groups it. */
export const NewDevice = z.object({
  deviceId: DeviceId,
  name: z.string().trim().min(1).max(200),
  kind: z.string().trim().max(64).default(''),
  site: z.string().trim().max(200).default(''),
  labels: Labels.default({}),
});
export type NewDevice = z.infer<typeof NewDevice>;

/**
 * Makes a device on the node `nodePath` names, with new broker credentials. A device the node has
 * only seen publish (no credentials yet) is taken over with the given name, kind, site and labels;
 * a device that already has credentials is refused (rotate them instead).
 */
export const CreateDeviceInput = NewDevice.extend({ nodePath: NodePath.optional() });
export type CreateDeviceInput = z.infer<typeof CreateDeviceInput>;

/** The most devices one `devices.provision` call makes: an import sends larger files in batches. */
export const PROVISION_BATCH_MAX = 500;

/** A device of a CSV import, with the file's line it came from. */
export const ProvisionRow = NewDevice.extend({ line: z.number().int().min(1) });
export type ProvisionRow = z.infer<typeof ProvisionRow>;

/** A batch of an import, already validated, for one node; ids are distinct. */
export const ProvisionDevicesInput = z.object({
  nodePath: NodePath.optional(),
  devices: z
    .array(ProvisionRow)
    .min(1)
    .max(PROVISION_BATCH_MAX)
    .refine((rows) => new Set(rows.map((row) => row.deviceId)).size === rows.length, 'device ids: each once'),
});
export type ProvisionDevicesInput = z.infer<typeof ProvisionDevicesInput>;

/** A device made by an import: the only copy of its password. */
export const ProvisionedCredentials = DeviceCredentials.extend({ line: z.number().int().min(1) });
export type ProvisionedCredentials = z.infer<typeof ProvisionedCredentials>;

/** A valid row a node did not import (the device has credentials already, or the node is gone). */
export const RefusedRow = z.object({
  line: z.number().int().min(1),
  deviceId: DeviceId,
  /** The node the row named, as the caller named it; absent when the call named it. */
  nodePath: NodePath.optional(),
  message: z.string().max(1000),
});
export type RefusedRow = z.infer<typeof RefusedRow>;

/** What one node made of a batch: one entry per row, made or refused. */
export const ProvisionedDevices = z.object({
  nodePath: NodePath,
  created: z.array(ProvisionedCredentials).max(PROVISION_BATCH_MAX),
  refused: z.array(RefusedRow).max(PROVISION_BATCH_MAX),
});
export type ProvisionedDevices = z.infer<typeof ProvisionedDevices>;

/** A CSV import's file, about 10 000 devices at most (the tier's request body limit is 1 MiB). */
export const IMPORT_CSV_MAX_CHARS = 1_000_000;

/**
 * A CSV of devices, first line the header: `id` and `name` are required columns; `kind`, `site`,
 * `labels` (`key=value;key=value`) and `nodePath` are optional. A row without a `nodePath` goes to
 * the call's `nodePath`. A file with an invalid row imports nothing unless `importValidRows`.
 */
export const ImportDevicesCsvInput = z.object({
  nodePath: NodePath.optional(),
  csv: z.string().min(1).max(IMPORT_CSV_MAX_CHARS),
  importValidRows: z.boolean().default(false),
});
export type ImportDevicesCsvInput = z.infer<typeof ImportDevicesCsvInput>;

/** A row (or the header, line 1) the file cannot be imported with, by line and column. */
export const ImportRowError = z.object({
  line: z.number().int().min(1),
  /** The CSV column at fault, when one is. */
  column: z.string().max(64).optional(),
  message: z.string().max(1000),
});
export type ImportRowError = z.infer<typeof ImportRowError>;

export const ImportCounts = z.object({
  /** Data rows in the file. */
  rows: z.number().int().min(0),
  invalid: z.number().int().min(0),
  created: z.number().int().min(0),
  refused: z.number().int().min(0),
});
export type ImportCounts = z.infer<typeof ImportCounts>;

/**
 * What `devices.importCsv` streams: progress after each batch a node answered (`done` rows of
 * `total` to import), then one `result` with every device's credentials, shown this once.
 */
export const DeviceImportEvent = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('progress'),
    total: z.number().int().min(0),
    done: z.number().int().min(0),
    created: z.number().int().min(0),
    refused: z.number().int().min(0),
  }),
  z.object({
    kind: z.literal('result'),
    /** False when the file had errors and `importValidRows` was not set: nothing was imported. */
    imported: z.boolean(),
    counts: ImportCounts,
    errors: z.array(ImportRowError),
    refused: z.array(RefusedRow),
    created: z.array(ProvisionedCredentials),
  }),
]);
export type DeviceImportEvent = z.infer<typeof DeviceImportEvent>;
export type DeviceImportResult = Extract<DeviceImportEvent, { kind: 'result' }>;
