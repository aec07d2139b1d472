import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Webhook } from '@tierscope/shared';
import { checkWebhookTargets, type WebhookAllowlist } from './allowlist.ts';
import { DeliveryWorker } from './delivery-worker.ts';
import { NotificationFeed, type FeedableChangeLog, type FeedDatabase } from './notification-feed.ts';
import type { NotificationSource } from './notification-plan.ts';
import { createNotifierMetrics } from './notifier-metrics.ts';
import { createOutboxStore, type OutboxStore } from './outbox-store.ts';

export interface TierNotifierOptions {
  /** The tier's database, migrated with the notifier's tables. */
  database: FeedDatabase;
  /** The routes in force, read at each use: the tier's env WEBHOOKS and what policy adds. */
  routes: () => readonly Webhook[];
  /** The tier's configuration as `notifierConfigFields` reads it. */
  config: { webhooks: readonly Webhook[]; webhookAllowlist: WebhookAllowlist; webhookRetryMaxMs: number };
  /** Where the notifier's metrics are registered (the tier's /metrics). */
  registry: Registry;
  logger: Logger;
}

/** What every tier that notifies runs: the outbox, its delivery worker, and feeds of change logs. */
export interface TierNotifier {
  outbox: OutboxStore;
  worker: DeliveryWorker;
  /** A feed of `log` into the outbox through the tier's routes; init() it before the log's writer starts. */
  feed(source: NotificationSource, log: FeedableChangeLog): NotificationFeed;
}

/**
 * Builds the tier's notifier (not started). Env webhooks whose host does not resolve now are
 * logged and checked again at each send; a refused one throws (the allowlist is the last word).
 */
export async function createTierNotifier(options: TierNotifierOptions): Promise<TierNotifier> {
  const { database, routes, config, logger } = options;
  const outbox = createOutboxStore(database);
  const worker = new DeliveryWorker({
    outbox,
    webhooks: routes,
    allowlist: config.webhookAllowlist,
    logger,
    metrics: createNotifierMetrics(options.registry),
    retry: { maxDelayMs: config.webhookRetryMaxMs },
  });
  for (const { webhookId, error } of await checkWebhookTargets(config.webhooks, config.webhookAllowlist))
    logger.warn({ webhookId, error }, 'webhook host does not resolve now; it is checked again at each send');
  return {
    outbox,
    worker,
    feed: (source, log) =>
      new NotificationFeed({
        source,
        log,
        database,
        outbox,
        webhooks: routes,
        onFed: () => worker.wake(),
        logger,
      }),
  };
}
