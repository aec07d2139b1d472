// Browser-safe: schemas and types only, no server code.
export * from './node.schemas.ts';
export * from './node-history.schemas.ts';
export * from './devices.schemas.ts';
export * from './device-provisioning.schemas.ts';
export * from './commands.schemas.ts';
export * from './metrics.schemas.ts';
export * from './fleet-metrics.schemas.ts';
export * from './events.schemas.ts';
export * from './dead-letters.schemas.ts';
export * from './alerts.schemas.ts';
export * from './rules.schemas.ts';
export * from './policy.schemas.ts';
export * from './console.schemas.ts';
export * from './report-schedules.schemas.ts';
export * from './dashboards.schemas.ts';
export * from './reports.schemas.ts';
export * from './report-figures.ts';
