import { Counter, Gauge, type Registry } from 'prom-client';
import type { OutboxStore } from './outbox-store.ts';

/** The notifier's Prometheus metrics, registered on the registry the node exposes. */
export interface NotifierMetrics {
  /** by webhook: notifications a receiver accepted (2xx) */
  sent: Counter<'webhook'>;
  /** by webhook: notifications stopped for good (a 4xx other than 429, a refused target) */
  failed: Counter<'webhook'>;
  /** by webhook: attempts that will be tried again (5xx, 429, no answer) */
  retried: Counter<'webhook'>;
  /** Outbox rows neither delivered nor failed, counted when scraped. */
  outboxPending: Gauge;
}

/**
 * The metrics on `registry`. The outbox's pending rows are counted at each scrape, not after each
 * send: a count per send loop was a query per alert under a burst.
 */
export function createNotifierMetrics(
  registry: Registry,
  outbox: Pick<OutboxStore, 'pendingCount'>,
): NotifierMetrics {
  const registers = [registry];
  return {
    sent: new Counter({
      name: 'tierscope_notifications_sent_total',
      help: 'Notifications a webhook receiver accepted',
      labelNames: ['webhook'],
      registers,
    }),
    failed: new Counter({
      name: 'tierscope_notifications_failed_total',
      help: 'Notifications given up for good (4xx other than 429, refused target)',
      labelNames: ['webhook'],
      registers,
    }),
    retried: new Counter({
      name: 'tierscope_notifications_retried_total',
      help: 'Notification attempts that will be tried again (5xx, 429, network error, timeout)',
      labelNames: ['webhook'],
      registers,
    }),
    outboxPending: new Gauge({
      name: 'tierscope_notification_outbox_pending',
      help: 'Notifications in the outbox neither delivered nor failed',
      registers,
      async collect() {
        try {
          this.set(await outbox.pendingCount());
        } catch {
          // The store is away: the last count stays, and /readyz says why.
        }
      },
    }),
  };
}
