import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { TrackedAlertChange } from '@tierscope/shared';
import type { EscalationEngine } from './escalation-engine.ts';
import type { FeedDatabase } from './notification-feed.ts';
import { readyBatches } from './ready-batches.ts';

/** Changes applied in one transaction at most. */
const BATCH_MAX = 200;

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
 * alerts): changes are applied with the stream's last event id in one transaction, so a restart
 * resumes after the last change applied and applies none twice. Changes that arrived while the
 * last batch was applied go together: a burst of alerts costs a few transactions, not one each
 * (on PGlite, one per change kept the BFF's single connection busy for seconds). The very first
 * watch starts with the open alerts, which start their escalations.
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
        const stream = this.#options.watch(await this.#position(), this.#stop.signal);
        for await (const items of readyBatches(stream, BATCH_MAX)) {
          if (await this.#apply(items)) this.#options.onQueued();
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

  async #apply(items: readonly TrackedAlertChange[]): Promise<number> {
    return this.#options.database.transaction(async (tx) => {
      const queued = await this.#options.escalations.apply(
        items.map((item) => item.change),
        tx,
      );
      await tx.exec(
        `insert into notification_feeds (source, fed_seq, last_event_id) values ($1, 0, $2)
         on conflict (source) do update set last_event_id = excluded.last_event_id`,
        [this.#options.source, items.at(-1)!.id],
      );
      return queued;
    });
  }
}
