import type { Logger } from 'pino';
import type { RawExecutor } from '@tierscope/store';
import type { AlertChange, Webhook } from '@tierscope/shared';
import type { PayloadLinks } from './alertmanager-payload.ts';
import { notificationsFor, type NotificationSource } from './notification-plan.ts';
import type { OutboxStore } from './outbox-store.ts';

/** A change log a feed reads: numbered changes, in the order every reader sees them. */
export interface FeedableChangeLog {
  /** The changes after `afterSeq` in order, at most `limit`; without `afterSeq`, the latest `limit`. */
  read(
    afterSeq: number | undefined,
    limit: number,
  ): Promise<ReadonlyArray<{ seq: number; change: AlertChange }>>;
}

/** The tier's database: where the outbox and `notification_feeds` are. */
export interface FeedDatabase extends RawExecutor {
  transaction<R>(fn: (tx: RawExecutor) => Promise<R>): Promise<R>;
}

export interface NotificationFeedOptions {
  source: NotificationSource;
  log: FeedableChangeLog;
  database: FeedDatabase;
  outbox: OutboxStore;
  /** The routes in force when a change is fed. */
  webhooks: () => readonly Webhook[];
  /** Called after a feed committed rows (the delivery worker's wake). */
  onFed: () => void;
  logger: Logger;
  /** How often the log is read. Default 1000 ms. */
  intervalMs?: number | undefined;
  links?: PayloadLinks | undefined;
  now?: (() => number) | undefined;
  /** Also run in each batch's transaction (the escalation engine's apply): returns rows it queued. */
  alsoInTransaction?: ((changes: readonly AlertChange[], tx: RawExecutor) => Promise<number>) | undefined;
}

/** Changes read and fed in one transaction. */
const FEED_BATCH = 500;

/**
 * Feeds a change log that is written elsewhere (a federating tier's `node unreachable` changes)
 * into the outbox: the notifications of each batch and the feed's position commit in one
 * transaction, so a crash between the change and its notification loses nothing, and a replay
 * writes nothing twice (the outbox's unique webhook, source and seq). Several feeders of one log
 * (BFF replicas, decision 17) are safe: the position only moves forward and the key makes each
 * row once. The first feed of a log starts at its latest change: history before it notifies nobody.
 */
export class NotificationFeed {
  readonly #options: NotificationFeedOptions;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();

  constructor(options: NotificationFeedOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: 'notification-feed', source: options.source });
  }

  /**
   * Takes the feed's position (the log's latest change on the very first start), so changes made
   * from now on are fed; call it before the log's writer starts.
   */
  async init(): Promise<void> {
    const [latest] = await this.#options.log.read(undefined, 1);
    await this.#options.database.exec(
      `insert into notification_feeds (source, fed_seq) values ($1, $2) on conflict (source) do nothing`,
      [this.#options.source, latest?.seq ?? 0],
    );
  }

  /** Feeds now and then every intervalMs; a failed feed (the database away) is tried at the next. */
  start(): void {
    if (this.#timer) return;
    const tick = () => {
      this.#running = this.#running.then(() =>
        this.catchUp().then(
          () => undefined,
          (error: unknown) => this.#logger.warn({ err: error }, 'feeding notifications failed; trying again'),
        ),
      );
    };
    tick();
    this.#timer = setInterval(tick, this.#options.intervalMs ?? 1000);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** Feeds every change after the feed's position; returns how many outbox rows it wrote. */
  async catchUp(): Promise<number> {
    let written = 0;
    for (;;) {
      const fedSeq = await this.#position();
      const changes = await this.#options.log.read(fedSeq, FEED_BATCH);
      const last = changes.at(-1);
      if (!last) break;
      written += await this.#feed(changes, last.seq);
      if (changes.length < FEED_BATCH) break;
    }
    if (written > 0) this.#options.onFed();
    return written;
  }

  async #position(): Promise<number> {
    const [row] = await this.#options.database.exec<{ fedSeq: number }>(
      `select fed_seq::float8 as "fedSeq" from notification_feeds where source = $1`,
      [this.#options.source],
    );
    if (!row) throw new Error(`the ${this.#options.source} feed has no position: call init() first`);
    return row.fedSeq;
  }

  async #feed(
    changes: ReadonlyArray<{ seq: number; change: AlertChange }>,
    lastSeq: number,
  ): Promise<number> {
    const { source, webhooks, links, outbox, database } = this.#options;
    const at = (this.#options.now ?? Date.now)();
    const routes = webhooks();
    const rows = changes.flatMap(({ seq, change }) =>
      notificationsFor(change, { source, seq }, routes, at, links),
    );
    return database.transaction(async (tx) => {
      let inserted = await outbox.insert(rows, tx);
      if (this.#options.alsoInTransaction)
        inserted += await this.#options.alsoInTransaction(
          changes.map(({ change }) => change),
          tx,
        );
      await tx.exec(`update notification_feeds set fed_seq = greatest(fed_seq, $2::int8) where source = $1`, [
        source,
        lastSeq,
      ]);
      return inserted;
    });
  }
}
