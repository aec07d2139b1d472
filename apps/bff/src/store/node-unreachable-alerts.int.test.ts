import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeUnreachableAlerts, sqlUnreachableAlertStore } from '@tierscope/federation';
import type { TrackedAlertChange } from '@tierscope/shared';
import { waitFor } from '@tierscope/test-support/processes';
import { testDatabaseBackends, type TestDatabase } from '@tierscope/test-support/test-databases';
import { openBffStore, type BffStore } from './client.ts';
import { migrateBffStore } from './migrate.ts';

const OPERATOR = { kind: 'user', name: 'olga', role: 'operator' } as const;

/** Reads a book's stream until `count` changes came (or fails after a deadline), then stops it. */
async function firstChanges(
  book: NodeUnreachableAlerts,
  lastEventId: string | undefined,
  count: number,
): Promise<TrackedAlertChange[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10_000);
  const items: TrackedAlertChange[] = [];
  try {
    for await (const item of book.watch(lastEventId, controller.signal)) {
      items.push(item);
      if (items.length === count) break;
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return items;
}

/** Waits until `book`, read again from the store, satisfies `check` (its own writes land in the background). */
async function until(what: string, book: NodeUnreachableAlerts, check: () => boolean): Promise<void> {
  await waitFor(what, async () => {
    await book.sync();
    return check();
  });
}

describe.each(testDatabaseBackends())(
  'node unreachable alerts kept in the BFF database ($name)',
  (backend) => {
    let database: TestDatabase;
    // Two replicas: on PostgreSQL each has its own connections; PGlite is one process's, so they share it.
    const stores: BffStore[] = [];
    let replicaA: NodeUnreachableAlerts;
    let replicaB: NodeUnreachableAlerts;

    beforeAll(async () => {
      database = await backend.create();
      stores.push(await openBffStore(database.url));
      await migrateBffStore(stores[0]!);
      stores.push(backend.name === 'postgres' ? await openBffStore(database.url) : stores[0]!);
      const bookOn = (store: BffStore) =>
        new NodeUnreachableAlerts(
          undefined,
          sqlUnreachableAlertStore((text, params) => store.exec(text, params)),
        );
      replicaA = bookOn(stores[0]!);
      replicaB = bookOn(stores[1]!);
    });
    afterAll(async () => {
      await Promise.all([...new Set(stores)].map((s) => s.close()));
      await database?.drop();
    });

    it('raises one alert when both replicas lose a child, each from its own heartbeat', async () => {
      // Each replica's last answer from the child differs by a few milliseconds.
      replicaA.childDown('probe-d', 1_000);
      replicaB.childDown('probe-d', 1_007);
      for (const book of [replicaA, replicaB])
        await until('the alert raised', book, () => book.alerts().length > 0);
      // Both raises have landed (or been refused) once neither replica has one on its way.
      await until(
        'no raise on its way',
        replicaB,
        () => !replicaB.isBusy('probe-d') && !replicaA.isBusy('probe-d'),
      );
      const [onA, onB] = [replicaA.alerts(), replicaB.alerts()];
      expect(onA).toHaveLength(1);
      expect(onB).toEqual(onA);
      expect(onA[0]).toMatchObject({ subjectPath: 'probe-d', state: 'firing' });
    });

    it('lists and streams an ack made on one replica on the other, and resumes there from an id of the first', async () => {
      const [alert] = replicaA.alerts();
      const before = await firstChanges(replicaA, undefined, 1);
      expect(before.map((i) => i.change.kind)).toEqual(['fired']);

      const acked = await replicaA.setAck(alert!.id, 'on it', OPERATOR);
      await replicaB.sync();
      expect(replicaB.alerts()).toEqual([acked]);
      expect(replicaB.has(alert!.id)).toBe(true);

      // The id the first replica gave resumes on the second: the ack, nothing repeated.
      const resumed = await firstChanges(replicaB, before[0]!.id, 1);
      expect(resumed.map((i) => [i.change.kind, i.change.alert.ack?.by])).toEqual([['acked', 'olga']]);
    });

    it('resolves once when either replica hears from the child again, and the other does not raise the episode again', async () => {
      const [open] = replicaA.alerts();
      replicaB.childUp('probe-d', 2_000);
      await until('resolved, seen from A', replicaA, () => replicaA.alerts()[0]?.state === 'resolved');
      // Replica A still has no answer from the child (its last one is still 1 000).
      replicaA.childDown('probe-d', 1_000);
      await until('no raise on its way', replicaA, () => !replicaA.isBusy('probe-d'));
      await replicaB.sync();
      for (const book of [replicaA, replicaB]) {
        expect(book.alerts().map((a) => [a.id, a.state, a.resolvedAt, a.ack?.note])).toEqual([
          [open!.id, 'resolved', 2_000, 'on it'],
        ]);
      }
      const store = stores[0]!;
      const rows = await store.exec<{ kind: string }>(
        'SELECT kind FROM node_unreachable_changes ORDER BY seq',
      );
      expect(rows.map((r) => r.kind)).toEqual(['fired', 'acked', 'resolved']);
    });
  },
);
