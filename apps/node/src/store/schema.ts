// Every table the node's queries use: the drizzle-kit schema plus the hand-migrated samples table.
export * from './schema/devices.ts';
export * from './schema/status-changes.ts';
export * from './schema/metrics.ts';
export * from './schema/events.ts';
export * from './schema/dead-letters.ts';
export * from './schema/audit-log.ts';
export * from './schema/device-access.ts';
export * from './schema/ingest.ts';
export * from './schema/child-token-changes.ts';
export * from './schema/policy.ts';
export * from './schema/commands.ts';
export * from './schema/device-config.ts';
export * from './schema/node-history.ts';
export * from './samples-table.ts';
