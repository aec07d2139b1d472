import type { EffectivePolicy, Webhook } from '@tierscope/shared';

/** What the node's own configuration sets where the policy sets nothing. */
export interface NodeSettingDefaults {
  /** `WEBHOOKS` */
  webhooks: readonly Webhook[];
  /** `RAW_RETENTION_DAYS` */
  rawRetentionDays: number;
  /** `UNKNOWN_DEVICES` */
  unknownDevices: 'register' | 'reject';
}

/** The settings the node runs with: the policy in force over the node's own defaults. */
export interface NodeSettings {
  /** Env WEBHOOKS first, then the policy's routes; on a shared id the node's own webhook wins. */
  routes: readonly Webhook[];
  rawRetentionDays: number;
  /** Unset: the node's built-in rollup retention. */
  rollupDays: number | undefined;
  unknownDevices: 'register' | 'reject';
}

export function nodeSettings(effective: EffectivePolicy, defaults: NodeSettingDefaults): NodeSettings {
  const ownIds = new Set(defaults.webhooks.map(({ id }) => id));
  return {
    routes: [...defaults.webhooks, ...effective.routes.filter(({ id }) => !ownIds.has(id))],
    rawRetentionDays: effective.retention.rawDays ?? defaults.rawRetentionDays,
    rollupDays: effective.retention.rollupDays,
    unknownDevices: effective.unknownDevices ?? defaults.unknownDevices,
  };
}
