import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  notifierTestDatabase,
  type NotifierTestDatabase,
  type NotifierTestStore,
} from './testing/notifier-database.ts';
import { testDatabaseBackends } from '@tierscope/test-support/test-databases';
import { notificationHook } from './notification-hook.ts';
import type { OutboxInsert } from './notification-plan.ts';
import { createOutboxStore, type OutboxStore } from './outbox-store.ts';
import { testChange, testWebhook } from './testing/test-alerts.ts';

const T0 = Date.UTC(2025, 5, 15, 12, 0, 0);
const LEASE = 60_000;

function row(changeSeq: number, overrides: Partial<OutboxInsert> = {}): OutboxInsert {
  return {
    webhookId: 'ops',
    source: 'alert',
    changeSeq,
    fingerprint: `fp-${changeSeq}`,
    payload: { version: '4', seq: changeSeq },
    createdAt: T0,
    nextAttemptAt: T0,
    recipient: 'route:ops',
    recipientName: 'ops',
    alertId: `alert-${changeSeq}`,
    event: 'firing',
    ...overrides,
  };
}

describe.each(testDatabaseBackends())('notification outbox on $name', ({ create }) => {
  let database: NotifierTestDatabase;
  let store: NotifierTestStore;
  let outbox: OutboxStore;

  beforeAll(async () => {
    database = await notifierTestDatabase(create);
    store = database.store;
    outbox = createOutboxStore(store);
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await store.exec('delete from notification_outbox');
  });

  it('stores a row once per webhook and change, however often the change is replayed', async () => {
    expect(await outbox.insert([row(1), row(2), row(1, { webhookId: 'chat' })])).toBe(3);
    expect(await outbox.insert([row(1), row(2)])).toBe(0);
    expect(await outbox.pendingCount()).toBe(3);
    expect(await outbox.insert([])).toBe(0);
  });

  it('keeps the same seq of two sources apart: each change log numbers its own changes', async () => {
    const unreachable = { source: 'node-unreachable' as const };
    expect(await outbox.insert([row(1), row(1, unreachable)])).toBe(2);
    expect(await outbox.insert([row(1, unreachable)])).toBe(0);
  });

  it("holds a change back only behind an earlier one of the same source, not another log's", async () => {
    await outbox.insert([row(1), row(2, { source: 'node-unreachable', fingerprint: 'fp-1' })]);
    const claimed = await outbox.claimDue(T0, 10, T0 + LEASE);
    expect(claimed.map((c) => c.changeSeq)).toEqual([1, 2]);
  });

  it('counts the unsent rows of each webhook with the time of its oldest', async () => {
    await outbox.insert([row(1), row(2, { createdAt: T0 + 5000 }), row(3, { webhookId: 'chat' })]);
    const [claimed] = await outbox.claimDue(T0, 1, T0 + LEASE);
    await outbox.markDelivered([claimed!.id], T0);
    const unsent = await outbox.unsentByWebhook();
    expect(unsent.sort((a, b) => a.webhookId.localeCompare(b.webhookId))).toEqual([
      { webhookId: 'chat', count: 1, oldestAt: T0 },
      { webhookId: 'ops', count: 1, oldestAt: T0 + 5000 },
    ]);
  });

  it('commits rows with the transaction that wrote them, or not at all', async () => {
    await store.transaction((tx) => outbox.insert([row(1)], tx));
    await expect(
      store.transaction(async (tx) => {
        await outbox.insert([row(2)], tx);
        throw new Error('the alert change failed');
      }),
    ).rejects.toThrow('the alert change failed');
    expect(await outbox.pendingCount()).toBe(1);
  });

  it('writes, through the alert store hook, the notifications of the changes its transaction stores', async () => {
    const hook = notificationHook({ outbox, webhooks: () => [testWebhook()], now: () => T0 });
    await store.transaction((tx) =>
      hook(tx, [
        { seq: 11, change: testChange('fired') },
        { seq: 12, change: testChange('acked') },
        { seq: 13, change: testChange('resolved') },
      ]),
    );
    const claimed = await outbox.claimDue(T0, 10, T0 + LEASE);
    expect(claimed.map((c) => [c.changeSeq, (JSON.parse(c.body) as { status: string }).status])).toEqual([
      [11, 'firing'],
    ]);
    expect(await outbox.pendingCount()).toBe(2);
  });

  it('claims due rows in order, leases them and hands out the stored payload as the body', async () => {
    await outbox.insert([row(1), row(2), row(3, { nextAttemptAt: T0 + 10_000 })]);
    const claimed = await outbox.claimDue(T0, 10, T0 + LEASE);
    expect(claimed.map((c) => c.changeSeq)).toEqual([1, 2]);
    expect(claimed[0]).toMatchObject({ webhookId: 'ops', fingerprint: 'fp-1', attempt: 1 });
    expect(JSON.parse(claimed[0]?.body ?? '')).toEqual({ version: '4', seq: 1 });
    // Leased: not claimable again until the lease runs out, then claimed with the next attempt number.
    expect(await outbox.claimDue(T0 + 20_000, 10, T0 + 20_000 + LEASE)).toHaveLength(1);
    const again = await outbox.claimDue(T0 + LEASE, 10, T0 + 2 * LEASE);
    expect(again.map((c) => [c.changeSeq, c.attempt])).toEqual([
      [1, 2],
      [2, 2],
    ]);
  });

  it('respects the limit', async () => {
    await outbox.insert([row(1), row(2), row(3)]);
    expect(await outbox.claimDue(T0, 2, T0 + LEASE)).toHaveLength(2);
  });

  it('never hands the same row to two claims running at once', async () => {
    await outbox.insert(Array.from({ length: 40 }, (_, i) => row(i + 1)));
    const [a, b] = await Promise.all([
      outbox.claimDue(T0, 25, T0 + LEASE),
      outbox.claimDue(T0, 25, T0 + LEASE),
    ]);
    const ids = [...a, ...b].map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(40);
  });

  it('holds a later change of an alert back until the earlier one to the same webhook is settled', async () => {
    await outbox.insert([
      row(1, { fingerprint: 'fp-a' }),
      row(2, { fingerprint: 'fp-a' }),
      row(3, { fingerprint: 'fp-a', webhookId: 'chat' }),
    ]);
    const first = await outbox.claimDue(T0, 10, T0 + LEASE);
    expect(first.map((c) => [c.webhookId, c.changeSeq])).toEqual([
      ['ops', 1],
      ['chat', 3],
    ]);
    const [earlier] = first;
    await outbox.scheduleRetry(earlier?.id ?? 0, T0 + 5000, 'HTTP 503');
    expect(await outbox.claimDue(T0 + 1000, 10, T0 + LEASE)).toEqual([]);
    expect(await outbox.nextDueAt()).toBe(T0 + 5000);
    await outbox.markFailed(earlier?.id ?? 0, T0 + 1000, 'HTTP 400');
    expect((await outbox.claimDue(T0 + 1000, 10, T0 + LEASE)).map((c) => c.changeSeq)).toEqual([2]);
  });

  it('keeps delivered and failed rows out of the pending count and the next due time', async () => {
    await outbox.insert([row(1), row(2), row(3, { nextAttemptAt: T0 + 7000 })]);
    const [a, b] = await outbox.claimDue(T0, 2, T0 + LEASE);
    await outbox.markDelivered([a?.id ?? 0], T0 + 100);
    await outbox.markFailed(b?.id ?? 0, T0 + 100, 'HTTP 400: bad');
    expect(await outbox.pendingCount()).toBe(1);
    expect(await outbox.nextDueAt()).toBe(T0 + 7000);
    const [settled] = await store.exec<{ failed: boolean; last_error: string; delivered: boolean }>(
      `select failed_at is not null as failed, delivered_at is not null as delivered, last_error
         from notification_outbox where change_seq = 2`,
    );
    expect(settled).toEqual({ failed: true, delivered: false, last_error: 'HTTP 400: bad' });
    // A settled row stays settled whatever a late writer records.
    await outbox.scheduleRetry(b?.id ?? 0, T0, 'late');
    expect(await outbox.pendingCount()).toBe(1);
  });

  it('has no next due time when nothing is pending', async () => {
    expect(await outbox.nextDueAt()).toBeUndefined();
    expect(await outbox.pendingCount()).toBe(0);
  });
});
