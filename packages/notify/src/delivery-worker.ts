import type { LookupFunction } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { allowlistedLookup, refusalOfUrl, type ResolveHost, type WebhookAllowlist } from './allowlist.ts';
import type { AlertEmail } from './alert-email.ts';
import type { Mailer } from './mailer.ts';
import type { NotifierMetrics } from './notifier-metrics.ts';
import type { ClaimedNotification, OutboxStore } from './outbox-store.ts';
import {
  backoffDelayMs,
  decide,
  DEFAULT_RETRY_POLICY,
  type AttemptOutcome,
  type DeliveryDecision,
  type RetryPolicy,
} from './retry-policy.ts';
import type { Webhook } from '@tierscope/shared';
import { postWebhook } from './webhook-request.ts';
import {
  createPushSigner,
  subscriptionGone,
  type PushNotification,
  type PushRequest,
  type VapidSettings,
} from './web-push.ts';

export interface DeliveryWorkerOptions {
  outbox: OutboxStore;
  /** The routes in force, read at each claim and send: env WEBHOOKS and the policy's routes. */
  webhooks: () => readonly Webhook[];
  allowlist: WebhookAllowlist;
  /** Sends the outbox's emails; without it (no SMTP_URL at this tier) an email fails, saying so. */
  mailer?: Mailer | undefined;
  /** Signs the outbox's pushes; without it (no VAPID keys at this tier) a push fails, saying so. */
  vapid?: VapidSettings | undefined;
  /** Told when a push service says a subscription is gone for good (404, 410): forget it. */
  onSubscriptionGone?: ((endpoint: string) => Promise<void>) | undefined;
  logger: Logger;
  metrics?: NotifierMetrics | undefined;
  /** Default: 1 s base, 5 min cap. */
  retry?: Partial<RetryPolicy> | undefined;
  /** Rows claimed and sent together. Default 16. */
  batchSize?: number | undefined;
  /** How long past the longest webhook timeout a claimed row stays leased. Default 5 s. */
  leaseMarginMs?: number | undefined;
  /** The longest sleep, so rows another process wrote are found without wake(). Default 30 s. */
  idleCheckMs?: number | undefined;
  /** How long stop() waits for sends in flight before aborting them. Default 5 s. */
  stopTimeoutMs?: number | undefined;
  now?: (() => number) | undefined;
  random?: (() => number) | undefined;
  /** DNS for webhook hosts (tests point names at chosen addresses). Default: dns.lookup, every address. */
  resolve?: ResolveHost | undefined;
}

/** One push's budget: push services answer in well under a second when they answer at all. */
const PUSH_TIMEOUT_MS = 10_000;
/** After the store fails, wait this long at most before trying it again. */
const STORE_RETRY_POLICY: RetryPolicy = { baseDelayMs: 500, maxDelayMs: 30_000 };
/** Sleep at least this long when nothing could be claimed, so rows locked elsewhere cause no busy loop. */
const MIN_IDLE_MS = 20;
/** After aborting sends, how long stop() lets the loop settle before returning. */
const ABORT_SETTLE_MS = 1000;

/**
 * Sends the outbox: claims due rows, POSTs each to its webhook, and records delivered, retry or
 * failed (retry-policy.ts decides). Sleeps until the next row is due or wake() is called. A row is
 * leased while it is sent, so a worker killed mid-send leaves it to be sent again (at least once).
 */
export class DeliveryWorker {
  readonly #outbox: OutboxStore;
  readonly #webhooks: () => readonly Webhook[];
  readonly #allowlist: WebhookAllowlist;
  readonly #mailer: Mailer | undefined;
  /** Signs and encrypts a push; undefined without VAPID keys at this tier. */
  readonly #signPush: ((push: PushNotification) => PushRequest) | undefined;
  readonly #onSubscriptionGone: ((endpoint: string) => Promise<void>) | undefined;
  readonly #logger: Logger;
  readonly #metrics: NotifierMetrics | undefined;
  readonly #retry: RetryPolicy;
  readonly #batchSize: number;
  readonly #leaseMarginMs: number;
  readonly #idleCheckMs: number;
  readonly #stopTimeoutMs: number;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #lookup: LookupFunction;
  /** Aborts the sends in flight when stop() has waited long enough for them. */
  readonly #abortSends = new AbortController();
  /** By webhook: rows delivered or given up since this worker started (what left the outbox). */
  readonly #settled = new Map<string, number>();
  #stopped = false;
  #loop: Promise<void> | undefined;
  #woken = false;
  #wakeSleeper: (() => void) | undefined;

  constructor(options: DeliveryWorkerOptions) {
    this.#outbox = options.outbox;
    this.#webhooks = options.webhooks;
    this.#allowlist = options.allowlist;
    this.#mailer = options.mailer;
    this.#onSubscriptionGone = options.onSubscriptionGone;
    this.#logger = options.logger.child({ component: 'notifier' });
    this.#metrics = options.metrics;
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#batchSize = options.batchSize ?? 16;
    this.#leaseMarginMs = options.leaseMarginMs ?? 5000;
    this.#idleCheckMs = options.idleCheckMs ?? 30_000;
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 5000;
    this.#now = options.now ?? Date.now;
    this.#signPush = options.vapid && createPushSigner(options.vapid, this.#now);
    this.#random = options.random ?? Math.random;
    this.#lookup = allowlistedLookup(options.allowlist, options.resolve);
  }

  /** By webhook: rows delivered or given up since start; a counter the backlog's drain rate is read from. */
  settledCounts(): ReadonlyMap<string, number> {
    return this.#settled;
  }

  /** Starts the loop; the first pass sends whatever an earlier run left in the outbox. */
  start(): void {
    if (this.#loop || this.#stopped) return;
    this.#loop = this.#run();
  }

  /** New rows were committed: look for due rows now instead of at the next planned time. */
  wake(): void {
    this.#woken = true;
    this.#wakeSleeper?.();
  }

  /**
   * Stops claiming and waits for the sends in flight, at most stopTimeoutMs; then aborts them. An
   * aborted send's row stays leased and is sent again after the lease (by the next run).
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#wakeSleeper?.();
    const loop = this.#loop;
    if (!loop) return;
    const finished = await Promise.race([
      loop.then(() => true),
      delay(this.#stopTimeoutMs, false, { ref: false }),
    ]);
    if (finished) return;
    this.#logger.warn(
      { afterMs: this.#stopTimeoutMs },
      'aborting sends in flight; they are sent again later',
    );
    this.#abortSends.abort();
    await Promise.race([loop, delay(ABORT_SETTLE_MS, undefined, { ref: false })]);
  }

  async #run(): Promise<void> {
    let storeFailures = 0;
    while (!this.#stopped) {
      try {
        const claimed = await this.#sendDue();
        storeFailures = 0;
        if (claimed === this.#batchSize) continue;
        await this.#sleep(await this.#untilNextDue());
      } catch (error) {
        storeFailures += 1;
        const retryInMs = backoffDelayMs(storeFailures, STORE_RETRY_POLICY, this.#random);
        this.#logger.error({ err: error, retryInMs }, 'outbox unavailable; trying again');
        await this.#sleep(retryInMs);
      }
    }
  }

  /**
   * Claims one batch and sends it; returns how many rows were claimed. The rows delivered are
   * recorded together, in one statement (a statement per row kept PGlite's one connection busy
   * under a burst of alerts).
   */
  async #sendDue(): Promise<number> {
    const now = this.#now();
    const rows = await this.#outbox.claimDue(now, this.#batchSize, now + this.#leaseMs());
    const results = await Promise.allSettled(rows.map((row) => this.#send(row)));
    await this.#markDelivered(rows.filter((_, i) => isDelivered(results[i]!)));
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
    return rows.length;
  }

  /** Sends the row; returns `delivered` for a row to mark so, `settled` when recorded otherwise. */
  async #send(row: ClaimedNotification): Promise<'delivered' | 'settled'> {
    const outcome =
      row.channel === 'email'
        ? await this.#mail(row)
        : row.channel === 'push'
          ? await this.#push(row)
          : await this.#postToRoute(row);
    if (outcome === undefined) return 'settled';
    // Aborted by stop(): the store may be closing, and the lease brings the row back anyway.
    if (this.#abortSends.signal.aborted && outcome.kind === 'unanswered') return 'settled';
    const now = this.#now();
    const decision = decide(outcome, row.attempt, now, this.#retry, this.#random);
    if (decision.action === 'delivered') return 'delivered';
    await this.#record(row, decision, now);
    return 'settled';
  }

  /** Posts the row to its route, or fails it (and returns undefined) when it cannot be sent. */
  async #postToRoute(row: ClaimedNotification): Promise<AttemptOutcome | undefined> {
    const webhook = this.#webhookFor(row);
    if (typeof webhook === 'string') {
      await this.#fail(row, webhook);
      return undefined;
    }
    return this.#post(row, webhook);
  }

  async #mail(row: ClaimedNotification): Promise<AttemptOutcome | undefined> {
    if (!this.#mailer) {
      await this.#fail(row, 'no SMTP_URL at this tier: email cannot be sent');
      return undefined;
    }
    return this.#mailer.send(JSON.parse(row.body) as AlertEmail);
  }

  /** Signs, encrypts and POSTs the row's push to its subscription's push service. */
  async #push(row: ClaimedNotification): Promise<AttemptOutcome | undefined> {
    if (!this.#signPush) {
      await this.#fail(row, 'no VAPID keys at this tier: push cannot be sent');
      return undefined;
    }
    const push = JSON.parse(row.body) as PushNotification;
    const refusal = refusalOfUrl(push.endpoint, this.#allowlist);
    if (refusal) {
      await this.#fail(row, refusal);
      return undefined;
    }
    const request = this.#signPush(push);
    const outcome = await postWebhook({
      ...request,
      timeoutMs: PUSH_TIMEOUT_MS,
      lookup: this.#lookup,
      signal: this.#abortSends.signal,
    });
    if (outcome.kind === 'answered' && subscriptionGone(outcome.status)) {
      // The browser unsubscribed or the phone is gone: no later push to it can arrive either.
      await this.#onSubscriptionGone?.(push.endpoint);
    }
    return outcome;
  }

  /**
   * Past the longest send a claimed row may take: a push's or an email's, or the longest timeout of
   * the routes in force now (policy may change them at any time). A lease shorter than a send would
   * let a second claim send the row again while the first send still waits for its answer.
   */
  #leaseMs(): number {
    const longestRoute = Math.max(0, ...this.#webhooks().map((webhook) => webhook.timeoutMs));
    return Math.max(longestRoute, PUSH_TIMEOUT_MS, this.#mailer?.longestSendMs ?? 0) + this.#leaseMarginMs;
  }

  /** The row's webhook, or why it cannot be sent (removed from the configuration, or refused). */
  #webhookFor(row: ClaimedNotification): Webhook | string {
    const webhook = this.#webhooks().find(({ id }) => id === row.webhookId);
    if (!webhook) return 'the webhook is no longer configured';
    return refusalOfUrl(webhook.url, this.#allowlist) ?? webhook;
  }

  #post(row: ClaimedNotification, webhook: Webhook): Promise<AttemptOutcome> {
    return postWebhook({
      url: webhook.url,
      // The key is added here, never stored: the outbox and its listing hold no secret.
      body:
        webhook.kind === 'pagerduty'
          ? JSON.stringify({ routing_key: webhook.routingKey, ...(JSON.parse(row.body) as object) })
          : row.body,
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'tierscope-node',
        // The same key on every attempt: a receiver that saw it already can drop the repeat.
        'Idempotency-Key': `${encodeURIComponent(row.fingerprint)}:${row.changeSeq}`,
      },
      timeoutMs: webhook.timeoutMs,
      lookup: this.#lookup,
      signal: this.#abortSends.signal,
    });
  }

  async #markDelivered(rows: readonly ClaimedNotification[]): Promise<void> {
    if (rows.length === 0) return;
    await this.#outbox.markDelivered(
      rows.map((row) => row.id),
      this.#now(),
    );
    for (const row of rows) {
      this.#countSettled(row);
      this.#metrics?.sent.inc({ webhook: metricLabel(row) });
      this.#logger.debug(this.#context(row), 'notification delivered');
    }
  }

  /** Records an attempt that did not deliver: a retry later, or failed for good. */
  async #record(
    row: ClaimedNotification,
    decision: Exclude<DeliveryDecision, { action: 'delivered' }>,
    now: number,
  ): Promise<void> {
    if (decision.action === 'retry') {
      await this.#outbox.scheduleRetry(row.id, now + decision.delayMs, decision.error);
      this.#metrics?.retried.inc({ webhook: metricLabel(row) });
      this.#logger.warn(
        { ...this.#context(row), error: decision.error, retryInMs: decision.delayMs },
        'notification not delivered; will retry',
      );
    } else {
      await this.#fail(row, decision.error);
    }
  }

  async #fail(row: ClaimedNotification, error: string): Promise<void> {
    await this.#outbox.markFailed(row.id, this.#now(), error);
    this.#countSettled(row);
    this.#metrics?.failed.inc({ webhook: metricLabel(row) });
    this.#logger.error({ ...this.#context(row), error }, 'notification failed for good; not retried');
  }

  #countSettled(row: ClaimedNotification): void {
    const label = metricLabel(row);
    this.#settled.set(label, (this.#settled.get(label) ?? 0) + 1);
  }

  /** What a log line says about a row: never the URL (its path or query may hold a token). */
  #context(row: ClaimedNotification): Record<string, unknown> {
    return { webhook: metricLabel(row), changeSeq: row.changeSeq, attempt: row.attempt };
  }

  async #untilNextDue(): Promise<number> {
    const next = await this.#outbox.nextDueAt();
    const untilNext = next === undefined ? this.#idleCheckMs : next - this.#now();
    return Math.min(this.#idleCheckMs, Math.max(MIN_IDLE_MS, untilNext));
  }

  /** Sleeps for ms, or less if wake() or stop() is called (or was called since the last sleep). */
  async #sleep(ms: number): Promise<void> {
    if (this.#woken || this.#stopped) {
      this.#woken = false;
      return;
    }
    const woken = new AbortController();
    this.#wakeSleeper = () => woken.abort();
    try {
      await delay(ms, undefined, { signal: woken.signal });
    } catch {
      // Woken early.
    } finally {
      this.#wakeSleeper = undefined;
      this.#woken = false;
    }
  }
}

function isDelivered(result: PromiseSettledResult<'delivered' | 'settled'>): boolean {
  return result.status === 'fulfilled' && result.value === 'delivered';
}

/** Emails and pushes count under their channel: an address is neither a metric label nor a log field. */
function metricLabel(row: ClaimedNotification): string {
  return row.channel === 'webhook' ? row.webhookId : row.channel;
}
