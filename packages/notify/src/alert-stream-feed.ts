import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { TrackedAlertChange } from '@tierscope/shared';
import type { EscalationEngine } from './escalation-engine.ts';
import type { FeedDatabase } from './notification-feed.ts';

export interface AlertStreamFeedOptions {
  /** Names the stream's position in `notification_feeds`. */
  source: string;
  /** The alert stream (a federating tier's merged one), resumed after `lastEventId`. */
  watch: (lastEventId: string | undefined, signal: AbortSignal) => AsyncIterable<TrackedAlertChange>;
  escalations: Pick<EscalationEngine, 'apply' | 'wake'>;
  database: FeedDatabase;
  onQueued: () => void;
  logger: Logger;
  /** How long to wait before watching again after the stream ended or failed. Default 1 s. */
  retryMs?: number | undefined;
}

/**
 * Runs a tier's escalation policies over an alert stream it does not write (the BFF's fleet
 * alerts): each change is applied with the stream's event id in one transaction, so a restart
 * resumes after the last change applied and applies none twice. The very first watch starts with
 * the open alerts, which start their escalations.
 */
export class AlertStreamFeed {
  readonly #options: AlertStreamFeedOptions;
  readonly #stop = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(options: AlertStreamFeedOptions) {
    this.#options = options;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { logger, retryMs = 1000 } = this.#options;
    while (!this.#stop.signal.aborted) {
      try {
        for await (const item of this.#options.watch(await this.#position(), this.#stop.signal)) {
          if (await this.#apply(item)) this.#options.onQueued();
          this.#options.escalations.wake();
        }
      } catch (error) {
        if (!this.#stop.signal.aborted)
          logger.warn({ err: error }, 'alert stream for escalations ended; watching again');
      }
      await delay(retryMs, undefined, { signal: this.#stop.signal }).catch(() => undefined);
    }
  }

  async #position(): Promise<string | undefined> {
    const [row] = await this.#options.database.exec<{ id: string | null }>(
      `select last_event_id as id from notification_feeds where source = $1`,
      [this.#options.source],
    );
    return row?.id ?? undefined;
  }

  async #apply(item: TrackedAlertChange): Promise<number> {
    return this.#options.database.transaction(async (tx) => {
      const queued = await this.#options.escalations.apply([item.change], tx);
      await tx.exec(
        `insert into notification_feeds (source, fed_seq, last_event_id) values ($1, 0, $2)
         on conflict (source) do update set last_event_id = excluded.last_event_id`,
        [this.#options.source, item.id],
      );
      return queued;
    });
  }
}
