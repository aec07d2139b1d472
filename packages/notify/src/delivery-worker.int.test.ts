import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '@tierscope/test-support/processes';
import {
  createNotifierTables,
  notifierTestDatabase,
  openNotifierTestStore,
  type NotifierTestDatabase,
  type NotifierTestStore,
} from './testing/notifier-database.ts';
import { testDatabaseBackends } from '@tierscope/test-support/test-databases';
import type { AlertmanagerPayload } from './alertmanager-payload.ts';
import type { ResolveHost } from './allowlist.ts';
import { DeliveryWorker, type DeliveryWorkerOptions } from './delivery-worker.ts';
import { notificationsFor } from './notification-plan.ts';
import { createNotifierMetrics, type NotifierMetrics } from './notifier-metrics.ts';
import { createOutboxStore, type OutboxStore } from './outbox-store.ts';
import { testChange, testWebhook } from './testing/test-alerts.ts';
import { startTestReceiver, type Answer, type TestReceiver } from '@tierscope/test-support/test-receiver';
import type { Webhook } from '@tierscope/shared';
import { WebhookAllowlistText } from './webhook-config.ts';

const logger = pino({ level: 'silent' });
const FAST_RETRY = { baseDelayMs: 20, maxDelayMs: 100 };
// The receiver listens on 127.0.0.1: loopback, so it must be allowlisted by IP.
const allowlist = WebhookAllowlistText.parse('127.0.0.1,hooks.test');

interface OutboxRow {
  change_seq: number;
  attempts: number;
  next_attempt_at: number;
  delivered: boolean;
  failed: boolean;
  last_error: string | null;
}

describe.each(testDatabaseBackends())('webhook delivery on $name', ({ create }) => {
  let database: NotifierTestDatabase;
  let store: NotifierTestStore;
  let outbox: OutboxStore;
  let receiver: TestReceiver | undefined;
  let metrics: NotifierMetrics;
  let registry: Registry;
  const workers: DeliveryWorker[] = [];

  beforeAll(async () => {
    database = await notifierTestDatabase(create);
    store = database.store;
    outbox = createOutboxStore(store);
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await store.exec('delete from notification_outbox');
    registry = new Registry();
    metrics = createNotifierMetrics(registry, outbox);
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    await receiver?.close();
    receiver = undefined;
  });

  async function receive(answer: (n: number) => Answer): Promise<Webhook> {
    receiver = await startTestReceiver(answer);
    return testWebhook({ id: 'ops', url: `${receiver.url}/hook?token=secret`, timeoutMs: 2000 });
  }

  function worker(webhook: Webhook, options: Partial<DeliveryWorkerOptions> = {}): DeliveryWorker {
    const created = new DeliveryWorker({
      outbox,
      webhooks: () => [webhook],
      allowlist,
      logger,
      metrics,
      retry: FAST_RETRY,
      idleCheckMs: 200,
      ...options,
    });
    workers.push(created);
    return created;
  }

  /** Writes the notifications of `count` alerts firing, as the alert-change transaction would. */
  async function fireAlerts(webhook: Webhook, count: number, firstSeq = 1): Promise<void> {
    const now = Date.now();
    await store.transaction(async (tx) => {
      for (let i = 0; i < count; i += 1) {
        const change = testChange('fired', {
          id: `a-${firstSeq + i}`,
          fingerprint: `temp-high:sensor-${firstSeq + i}`,
        });
        await outbox.insert(
          notificationsFor(change, { source: 'alert', seq: firstSeq + i }, [webhook], now),
          tx,
        );
      }
    });
  }

  const rows = () =>
    store.exec<OutboxRow & Record<string, unknown>>(
      `select change_seq::float8 as change_seq, attempts,
              (extract(epoch from next_attempt_at) * 1000)::float8 as next_attempt_at,
              delivered_at is not null as delivered, failed_at is not null as failed, last_error
         from notification_outbox order by change_seq`,
    );
  const settled = async () => (await outbox.pendingCount()) === 0;
  const counter = async (name: string) =>
    (await registry.getSingleMetric(name)?.get())?.values.find((v) => v.labels.webhook === 'ops')?.value ?? 0;
  const payloads = () => (receiver?.requests ?? []).map((r) => JSON.parse(r.body) as AlertmanagerPayload);

  it('POSTs Alertmanager v4 JSON with a dedup key the same on every attempt', async () => {
    const webhook = await receive(() => ({ status: 200 }));
    await fireAlerts(webhook, 1, 7);
    worker(webhook).start();
    await waitFor('the notification to be delivered', settled);

    const [request] = receiver?.requests ?? [];
    expect(request).toMatchObject({ method: 'POST', path: '/hook?token=secret' });
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['idempotency-key']).toBe('temp-high%3Asensor-7:7');
    expect(JSON.parse(request?.body ?? '')).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'ops',
      truncatedAlerts: 0,
      alerts: [{ status: 'firing', fingerprint: 'temp-high:sensor-7', endsAt: '0001-01-01T00:00:00Z' }],
    });
    expect(await rows()).toMatchObject([{ delivered: true, attempts: 1, last_error: null }]);
    expect(await counter('tierscope_notifications_sent_total')).toBe(1);
  });

  it('gets every notification to a receiver that answers 503 for a while', async () => {
    const webhook = await receive((n) => ({ status: n <= 6 ? 503 : 200 }));
    await fireAlerts(webhook, 3);
    worker(webhook).start();
    await waitFor('every notification to be delivered', settled);

    const delivered = (receiver?.requests ?? []).filter((r) => r.status === 200);
    expect(delivered.map((r) => r.headers['idempotency-key']).sort()).toEqual([
      'temp-high%3Asensor-1:1',
      'temp-high%3Asensor-2:2',
      'temp-high%3Asensor-3:3',
    ]);
    const stored = await rows();
    expect(stored.every((row) => row.delivered)).toBe(true);
    expect(stored.reduce((sum, row) => sum + row.attempts, 0)).toBe(9);
    expect(await counter('tierscope_notifications_retried_total')).toBe(6);
    expect(await counter('tierscope_notifications_sent_total')).toBe(3);
    expect((await metrics.outboxPending.get()).values[0]?.value).toBe(0);
  });

  it('retries while the receiver is down, and delivers once it is back', async () => {
    const webhook = await receive(() => ({ status: 200 }));
    const port = Number(new URL(webhook.url).port);
    await receiver?.close();
    await fireAlerts(webhook, 1);
    worker(webhook).start();
    await waitFor('a refused connection', async () => (await rows())[0]?.last_error != null);
    const [waiting] = await rows();
    expect(waiting).toMatchObject({ delivered: false, failed: false });
    expect(waiting?.last_error).toMatch(/ECONNREFUSED/);
    expect(waiting?.last_error).not.toContain('secret');

    receiver = await startTestReceiver(() => ({ status: 200 }), port);
    await waitFor('the notification to be delivered', settled);
    expect(receiver.requests).toHaveLength(1);
  });

  it('stops within its bound while a receiver hangs, leaving the row to be sent again', async () => {
    const webhook = await receive(() => ({ hang: true, status: 200 }));
    await fireAlerts(webhook, 1);
    const sender = worker(webhook, { stopTimeoutMs: 100 });
    sender.start();
    await waitFor('the request to arrive', async () => receiver?.requests.length === 1);
    await sender.stop();
    expect(await rows()).toMatchObject([{ attempts: 1, delivered: false, failed: false, last_error: null }]);
  });

  it('never retries a 400: one attempt, and the row is failed with the reason', async () => {
    const webhook = await receive(() => ({ status: 400, body: 'alerts: required' }));
    await fireAlerts(webhook, 1);
    const sender = worker(webhook);
    sender.start();
    await waitFor('the notification to fail', settled);
    await sender.stop();

    expect(receiver?.requests).toHaveLength(1);
    expect(await rows()).toMatchObject([
      { attempts: 1, delivered: false, failed: true, last_error: 'HTTP 400: alerts: required' },
    ]);
    expect(await counter('tierscope_notifications_failed_total')).toBe(1);
    expect(await counter('tierscope_notifications_retried_total')).toBe(0);
  });

  it('schedules the attempt after a 429 no earlier than Retry-After asks', async () => {
    const webhook = await receive((n) =>
      n === 1 ? { status: 429, headers: { 'Retry-After': '1' } } : { status: 200 },
    );
    await fireAlerts(webhook, 1);
    // A clock that stands still: the retry is scheduled from it and never falls due for this worker.
    const frozenNow = Date.now() + 1;
    const first = worker(webhook, { now: () => frozenNow, retry: { baseDelayMs: 20, maxDelayMs: 60_000 } });
    first.start();
    await waitFor('the 429 to be recorded', async () => (await rows())[0]?.last_error != null);
    await first.stop();
    expect(await rows()).toMatchObject([
      { attempts: 1, next_attempt_at: frozenNow + 1000, last_error: 'HTTP 429' },
    ]);
    expect(await counter('tierscope_notifications_retried_total')).toBe(1);

    worker(webhook).start();
    await waitFor('the notification to be delivered', settled);
    expect(receiver?.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('delivers, after a restart, rows committed before the worker ever sent them', async () => {
    const webhook = await receive(() => ({ status: 200 }));
    // PGlite in memory cannot be reopened: this test's PGlite lives in a directory instead.
    const dir = database.name === 'pglite' ? mkdtempSync(join(tmpdir(), 'tierscope-outbox-')) : undefined;
    const url = dir ? `pglite:${dir}` : database.url;
    const before = dir ? await openNotifierTestStore(url) : store;
    if (dir) await createNotifierTables(before);
    const beforeOutbox = createOutboxStore(before);
    await before.transaction((tx) =>
      beforeOutbox.insert(
        notificationsFor(testChange('fired'), { source: 'alert', seq: 1 }, [webhook], Date.now()),
        tx,
      ),
    );
    // The node dies here: the change and its notification are committed, nothing was sent.
    if (dir) await before.close();

    const after = await openNotifierTestStore(url);
    try {
      const afterOutbox = createOutboxStore(after);
      const restarted = worker(webhook, { outbox: afterOutbox });
      restarted.start();
      await waitFor('the notification to be delivered', async () => (await afterOutbox.pendingCount()) === 0);
      await restarted.stop();
    } finally {
      await after.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
    expect(receiver?.requests).toHaveLength(1);
    expect(payloads()[0]?.status).toBe('firing');
  });

  it('delivers, after a restart, rows a dead worker had claimed but not sent (once its lease runs out)', async () => {
    const webhook = await receive(() => ({ status: 200 }));
    await fireAlerts(webhook, 2);
    const claimedAt = Date.now();
    const lease = 15_000;
    // What a worker killed mid-send leaves behind: claimed, leased, never answered.
    expect(await outbox.claimDue(claimedAt, 10, claimedAt + lease)).toHaveLength(2);
    const later = claimedAt + lease + 1;
    const next = worker(webhook, { now: () => later });
    next.start();
    await waitFor('both notifications to be delivered', settled);
    expect(receiver?.requests).toHaveLength(2);
    expect((await rows()).map((row) => row.attempts)).toEqual([2, 2]);
  });

  it('wakes up for rows committed while it sleeps', async () => {
    const webhook = await receive(() => ({ status: 200 }));
    const sender = worker(webhook, { idleCheckMs: 60_000 });
    sender.start();
    await fireAlerts(webhook, 1);
    sender.wake();
    await waitFor('the notification to be delivered', settled, 10_000);
    expect(receiver?.requests).toHaveLength(1);
  });

  it('delivers resolved after firing even when firing needed retries', async () => {
    const webhook = await receive((n) => ({ status: n <= 2 ? 503 : 200 }));
    const now = Date.now();
    await outbox.insert([
      ...notificationsFor(testChange('fired'), { source: 'alert', seq: 1 }, [webhook], now),
      ...notificationsFor(testChange('resolved'), { source: 'alert', seq: 2 }, [webhook], now),
    ]);
    worker(webhook).start();
    await waitFor('both notifications to be delivered', settled);
    const delivered = payloads().filter((_, i) => receiver?.requests[i]?.status === 200);
    expect(delivered.map((p) => p.status)).toEqual(['firing', 'resolved']);
  });

  it('refuses at send time a host that now resolves to an address the allowlist does not cover', async () => {
    const webhook = await receive(() => ({ status: 200 }));
    const byName = { ...webhook, url: webhook.url.replace('127.0.0.1', 'hooks.test') };
    // DNS moved: hooks.test now points at 127.0.0.2, which is loopback and not allowlisted.
    const movedDns: ResolveHost = async () => [{ address: '127.0.0.2', family: 4 }];
    await fireAlerts(byName, 1);
    worker(byName, { resolve: movedDns }).start();
    await waitFor('the notification to fail', settled);
    expect(receiver?.requests).toHaveLength(0);
    expect((await rows())[0]?.last_error).toBe(
      'host "hooks.test" resolves to 127.0.0.2 (loopback), which WEBHOOK_ALLOWLIST does not cover',
    );
  });

  it('connects to the address it checked for a host name on the allowlist', async () => {
    const webhook = await receive(() => ({ status: 200 }));
    const byName = { ...webhook, url: webhook.url.replace('127.0.0.1', 'hooks.test') };
    const dns: ResolveHost = async () => [{ address: '127.0.0.1', family: 4 }];
    await fireAlerts(byName, 1);
    worker(byName, { resolve: dns }).start();
    await waitFor('the notification to be delivered', settled);
    expect(receiver?.requests[0]?.headers.host).toMatch(/^hooks\.test:\d+$/);
  });

  it('fails rows of a webhook that is no longer configured', async () => {
    const webhook = await receive(() => ({ status: 200 }));
    await fireAlerts({ ...webhook, id: 'removed' }, 1);
    worker(webhook).start();
    await waitFor('the notification to fail', settled);
    expect(await rows()).toMatchObject([{ failed: true, last_error: 'the webhook is no longer configured' }]);
  });
});
