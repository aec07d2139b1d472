import { bigint, boolean, integer, jsonb, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

/**
 * The configuration each device should run: one row per configured device, its latest version
 * (docs/decisions/0036-desired-configuration.md). Times in epoch ms.
 */
export const deviceConfigDesired = pgTable('device_config_desired', {
  deviceId: text('device_id').primaryKey(),
  /** Counts up from 1 per device. */
  version: integer('version').notNull(),
  document: jsonb('document').$type<Record<string, unknown>>().notNull(),
  setBy: text('set_by').notNull(),
  setAt: bigint('set_at', { mode: 'number' }).notNull(),
});

/**
 * The last few versions of each device's configuration, the current one included: what a device
 * that reports an older version runs, for the diff.
 */
export const deviceConfigVersions = pgTable(
  'device_config_versions',
  {
    deviceId: text('device_id').notNull(),
    version: integer('version').notNull(),
    document: jsonb('document').$type<Record<string, unknown>>().notNull(),
    setBy: text('set_by').notNull(),
    setAt: bigint('set_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.version] })],
);

/** Each device's latest report of the configuration it applied (`devices/{id}/config/reported`). */
export const deviceConfigReported = pgTable('device_config_reported', {
  deviceId: text('device_id').primaryKey(),
  version: integer('version').notNull(),
  ok: boolean('ok').notNull(),
  error: text('error'),
  /** The document the device says it runs, when it sent one. */
  document: jsonb('document').$type<Record<string, unknown>>(),
  reportedAt: bigint('reported_at', { mode: 'number' }).notNull(),
  /** The journal sequence of the report: of two reports at the same time, the later one wins. */
  seq: bigint('seq', { mode: 'number' }).notNull(),
});
