// A tier's federation: query/ fans calls out and merges the answers; links/ reaches the children
// (HTTP, uplink WebSocket, heartbeat, node tokens) and serves the contract to a parent.
export * from './federation-from-config.ts';
export * from './federation-runtime.ts';

export * from './query/alert-stream.ts';
export * from './query/child-alert-mirror.ts';
export * from './query/child-rosters.ts';
export * from './query/clock.ts';
export * from './query/fan-out.ts';
export * from './query/federated-node-service.ts';
export * from './query/fleet-metrics.ts';
export { firstRoundLimit } from './query/list-rounds.ts';
export * from './query/merge.ts';
export * from './query/node-calls.ts';
export * from './query/out-of-scope-service.ts';
export * from './query/path-filter.ts';
export * from './query/unreachable-alerts.ts';

export * from './links/acting-user.ts';
export * from './links/child-link.ts';
export * from './links/deadline-budget.ts';
export * from './links/heartbeat.ts';
export * from './links/node-api.ts';
export * from './links/node-tokens.ts';
export * from './links/uplink-client.ts';
export * from './links/uplink-protocol.ts';
export * from './links/uplink-server.ts';
export * from './links/health.ts';
export * from './policy/policy-hash.ts';
export * from './policy/policy-book.ts';
export * from './policy/policy-status.ts';
export * from './policy/tier-policy.ts';

export * from './tls/https-server.ts';
export * from './tls/tls-certificates.ts';
export * from './tls/tls-settings.ts';
