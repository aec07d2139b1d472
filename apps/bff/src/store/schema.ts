// Every table of the BFF's own database (drizzle-kit reads schema/*.ts for the migrations).
export * from './schema/users.ts';
export * from './schema/sessions.ts';
export * from './schema/login-attempts.ts';
export * from './schema/audit-log.ts';
export * from './schema/child-token-changes.ts';
export * from './schema/node-unreachable-alerts.ts';
export * from './schema/policy-versions.ts';
export * from './schema/push-subscriptions.ts';
export * from './schema/reports.ts';
export * from './schema/dashboards.ts';
