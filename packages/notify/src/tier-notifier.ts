import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Alert, EscalationPolicy, Webhook } from '@tierscope/shared';
import type { PayloadLinks } from './alertmanager-payload.ts';
import { checkWebhookTargets, type WebhookAllowlist } from './allowlist.ts';
import { DeliveryWorker } from './delivery-worker.ts';
import { EscalationEngine } from './escalation-engine.ts';
import { createMailer, type Mailer } from './mailer.ts';
import { NotificationFeed, type FeedableChangeLog, type FeedDatabase } from './notification-feed.ts';
import type { NotificationSource } from './notification-plan.ts';
import { createNotifierMetrics } from './notifier-metrics.ts';
import { createOutboxStore, type OutboxStore } from './outbox-store.ts';
import type { RecipientDirectory } from './recipients.ts';
import type { VapidSettings } from './web-push.ts';

export interface TierNotifierOptions {
  /** The tier's database, migrated with the notifier's tables. */
  database: FeedDatabase;
  /** The routes in force, read at each use: the tier's env WEBHOOKS and what policy adds. */
  routes: () => readonly Webhook[];
  /** The escalation policies in force, read at each use. Default: none. */
  escalations?: (() => readonly EscalationPolicy[]) | undefined;
  /** Users and their channels (the BFF's); other tiers resolve email addresses and routes only. */
  directory?: RecipientDirectory | undefined;
  /** A federating tier's: whom the tiers below already told about an alert (see EscalationEngine). */
  toldBelow?: ((alert: Alert) => Promise<ReadonlySet<string>>) | undefined;
  stepDelayMs?: number | undefined;
  /** The tier's configuration as `notifierConfigFields` reads it. */
  config: {
    webhooks: readonly Webhook[];
    webhookAllowlist: WebhookAllowlist;
    webhookRetryMaxMs: number;
    smtpUrl?: string | undefined;
    smtpFrom: string;
    vapid?: VapidSettings | undefined;
    consoleUrl?: string | undefined;
  };
  /** Told when a push service says a subscription is gone for good (the BFF forgets it). */
  onSubscriptionGone?: ((endpoint: string) => Promise<void>) | undefined;
  /** Where the notifier's metrics are registered (the tier's /metrics). */
  registry: Registry;
  logger: Logger;
}

/** What every tier that notifies runs: the outbox, its delivery worker, escalations, and feeds of change logs. */
export interface TierNotifier {
  outbox: OutboxStore;
  worker: DeliveryWorker;
  escalations: EscalationEngine;
  links: PayloadLinks;
  /** A feed of `log` into the outbox through the tier's routes; init() it before the log's writer starts. */
  feed(source: NotificationSource, log: FeedableChangeLog): NotificationFeed;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Builds the tier's notifier (not started). Env webhooks whose host does not resolve now are
 * logged and checked again at each send; a refused one throws (the allowlist is the last word).
 */
export async function createTierNotifier(options: TierNotifierOptions): Promise<TierNotifier> {
  const { database, routes, config, logger } = options;
  const outbox = createOutboxStore(database);
  const mailer: Mailer | undefined =
    config.smtpUrl === undefined ? undefined : createMailer({ url: config.smtpUrl, from: config.smtpFrom });
  const links: PayloadLinks = { externalUrl: config.consoleUrl };
  const worker = new DeliveryWorker({
    outbox,
    webhooks: routes,
    allowlist: config.webhookAllowlist,
    mailer,
    vapid: config.vapid,
    onSubscriptionGone: options.onSubscriptionGone,
    logger,
    metrics: createNotifierMetrics(options.registry, outbox),
    retry: { maxDelayMs: config.webhookRetryMaxMs },
  });
  const escalations = new EscalationEngine({
    database,
    outbox,
    policies: options.escalations ?? (() => []),
    routes,
    directory: options.directory,
    toldBelow: options.toldBelow,
    stepDelayMs: options.stepDelayMs,
    onQueued: () => worker.wake(),
    logger,
    links,
  });
  for (const { webhookId, error } of await checkWebhookTargets(config.webhooks, config.webhookAllowlist))
    logger.warn({ webhookId, error }, 'webhook host does not resolve now; it is checked again at each send');
  return {
    outbox,
    worker,
    escalations,
    links,
    feed: (source, log) =>
      new NotificationFeed({
        source,
        log,
        database,
        outbox,
        webhooks: routes,
        onFed: () => {
          worker.wake();
          escalations.wake();
        },
        logger,
        links,
        alsoInTransaction: (changes, tx) => escalations.apply(changes, tx),
      }),
    start: () => {
      worker.start();
      escalations.start();
    },
    stop: async () => {
      await escalations.stop();
      await worker.stop();
      mailer?.close();
    },
  };
}
