// What the rule engine and the alert store exchange. Its own module, so the store can persist the
// engine's decisions without importing the engine, which reads the store's ingest rows.
import type { Rule } from '@tierscope/shared';

/** What the engine decided: the alert store turns each into a row change and a stream event. */
export interface AlertTransition {
  kind: 'fired' | 'flapping' | 'resolved';
  /** `rule:device:episodeStart`, the same on every replay of the same data. */
  alertId: string;
  fingerprint: string;
  /** What the store keeps of the rule; a node's built-in alerts (backlog-alerts.ts) have no stored rule. */
  rule: Pick<Rule, 'id' | 'name' | 'severity'>;
  /** Null for an alert about the node itself. */
  deviceId: string | null;
  episodeStart: number;
  at: number;
  value: number | null;
  summary: string;
}

/** An alert open in the store when the engine starts: its condition continues, no second alert. */
export interface OpenAlertFacts {
  ruleId: string;
  deviceId: string;
  startedAt: number;
  state: 'pending' | 'firing' | 'flapping';
}
