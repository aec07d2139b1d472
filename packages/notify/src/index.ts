// A tier's notifier: Alertmanager v4 webhooks for alert changes, from an outbox written with the
// change (or fed from a change log), sent with retries to targets WEBHOOK_ALLOWLIST allows.
export * from './alertmanager-payload.ts';
export * from './allowlist.ts';
export * from './delivery-worker.ts';
export * from './notification-feed.ts';
export * from './notification-hook.ts';
export * from './notification-plan.ts';
export * from './notifier-metrics.ts';
export * from './notifier-tables.ts';
export * from './outbox-store.ts';
export * from './retry-policy.ts';
export * from './tier-notifier.ts';
export * from './webhook-config.ts';
export * from './alert-email.ts';
export * from './escalation-engine.ts';
export * from './mailer.ts';
export * from './pagerduty-event.ts';
export * from './recipients.ts';
export * from './alert-stream-feed.ts';
export * from './web-push.ts';
