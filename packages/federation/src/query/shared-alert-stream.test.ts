import { describe, expect, it } from 'vitest';
import type { TrackedAlertChange } from '@tierscope/shared';
import { waitFor } from '@tierscope/test-support/processes';
import { iterableStreamMember, type AlertStreamHandlers } from './alert-stream.ts';
import { SharedAlertStream, type OpenAlertStream } from './shared-alert-stream.ts';
import { countAlertStreams, noAlertStreams } from '../testing/counted-alert-streams.ts';
import { createInMemoryNodeService } from '../testing/in-memory-node-service.ts';
import { testAlert } from '../testing/test-alert.ts';

const T0 = 1_800_000_000_000;

/** A leaf (event id = change seq) whose served streams are counted, as a child's own stream. */
function countedLeaf(id = 'probe-a') {
  const { service, alerts } = createInMemoryNodeService(id, { devices: [], events: [] });
  const count = noAlertStreams();
  const counted = countAlertStreams(service, count);
  const member = iterableStreamMember(id, '', (lastEventId, signal) =>
    counted.alerts.watch({ lastEventId: lastEventId ?? null }, signal),
  );
  const open: OpenAlertStream = (lastEventId, handlers) => member.open(lastEventId, handlers);
  return { alerts, count, open };
}

/** A subscriber that records what it is told. */
function subscribe(stream: SharedAlertStream, lastEventId?: string) {
  const got: TrackedAlertChange[] = [];
  const downs: string[] = [];
  const ends: unknown[] = [];
  const handlers: AlertStreamHandlers = {
    onItem: (item) => got.push(item),
    onDown: (reason) => downs.push(reason),
    onUp: () => {},
    onEnd: (error) => ends.push(error ?? 'completed'),
  };
  const stop = stream.open(lastEventId, handlers);
  return { got, downs, ends, stop, ids: () => got.map((item) => Number(item.id)) };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('SharedAlertStream', () => {
  it('never gives a subscriber the same change twice, even when the child sends it again', async () => {
    // A child stream that repeats itself (as a reopened copy meeting a catch-up can): 1, 2, 2, 3, 1.
    const alert = (n: number) => ({ ...testAlert(`dev-${n}`, T0), nodePath: 'probe-a' });
    const sent = [1, 2, 2, 3, 1].map((n) => ({
      id: String(n),
      change: { kind: 'fired' as const, at: T0 + n, alert: alert(n) },
    }));
    const stream = new SharedAlertStream((_lastEventId, handlers) => {
      queueMicrotask(() => sent.forEach((item) => handlers.onItem(item)));
      return () => {};
    });
    const subscriber = subscribe(stream);
    await waitFor('the child has sent', async () => subscriber.got.length >= 3);
    expect(subscriber.ids()).toEqual([1, 2, 3]);
    stream.close();
  });

  it('serves every subscriber every change once, in order, from one stream to the child', async () => {
    const leaf = countedLeaf();
    const stream = new SharedAlertStream(leaf.open);
    const subscribers = Array.from({ length: 200 }, () => subscribe(stream));
    for (const n of range(1, 50)) leaf.alerts.record('fired', testAlert(`dev-${n}`, T0));
    await waitFor('every subscriber has 50 changes', async () =>
      subscribers.every((s) => s.got.length >= 50),
    );
    for (const s of subscribers) expect(s.ids()).toEqual(range(1, 50));
    expect(leaf.count).toEqual({ open: 1, opened: 1, peak: 1 });
    stream.close();
  });

  it('gives a late joiner with an id it cannot resume from every change after it once, in order, then serves it from the copy', async () => {
    const leaf = countedLeaf();
    leaf.alerts.record('fired', testAlert(`dev-${1}`, T0)); // 1
    leaf.alerts.record('fired', testAlert(`dev-${2}`, T0)); // 2
    leaf.alerts.record('resolved', testAlert(`dev-${1}`, T0, 'resolved')); // 3
    leaf.alerts.record('fired', testAlert(`dev-${3}`, T0)); // 4
    const stream = new SharedAlertStream(leaf.open);
    const first = subscribe(stream);
    // Opened without an id, the copy starts with the open alerts: 2 and 4, not 3 (alert 1 is resolved).
    await waitFor('the open alerts', async () => first.got.length >= 2);
    expect(first.ids()).toEqual([2, 4]);

    // Its id is among the copy's, but the copy skipped change 3 after it: it must still get 3.
    const late = subscribe(stream, '2');
    await waitFor('the late joiner catches up', async () => late.got.length >= 2);
    await waitFor('its own stream closes once it joined the copy', async () => leaf.count.open === 1);
    for (const n of range(5, 8)) leaf.alerts.record('fired', testAlert(`dev-${n}`, T0));
    await waitFor('both have change 8', async () => late.got.length >= 6 && first.got.length >= 6);
    expect(late.ids()).toEqual(range(3, 8));
    expect(first.ids()).toEqual([2, 4, 5, 6, 7, 8]);
    expect(stream.openUpstreams).toBe(1);
    stream.close();
  });

  it('resumes a subscriber whose id is still in the copy from the copy, without a stream of its own', async () => {
    const leaf = countedLeaf();
    const stream = new SharedAlertStream(leaf.open, { logLimit: 5 });
    const first = subscribe(stream);
    leaf.alerts.record('fired', testAlert(`dev-${1}`, T0));
    await waitFor('the copy has change 1', async () => first.got.length >= 1);
    // A late joiner makes the copy exact (reopened from its last id): later ids are join points.
    const older = subscribe(stream, '1');
    await waitFor('the copy is exact', async () => stream.openUpstreams === 1 && leaf.count.open === 1);
    for (const n of range(2, 9)) leaf.alerts.record('fired', testAlert(`dev-${n}`, T0));
    await waitFor('change 9 arrived', async () => first.got.length >= 9);
    const opened = leaf.count.opened;
    const resumed = subscribe(stream, '6');
    expect(resumed.ids()).toEqual([7, 8, 9]);
    expect(older.ids()).toEqual(range(2, 9));
    // An id older than the copy keeps (five changes) needs a stream of its own, then joins.
    const behind = subscribe(stream, '2');
    await waitFor('the one behind catches up', async () => behind.got.length >= 7);
    expect(behind.ids()).toEqual(range(3, 9));
    expect(leaf.count.opened).toBe(opened + 1);
    await waitFor('its own stream closes', async () => leaf.count.open === 1);
    stream.close();
  });

  it('closes the stream to the child a grace after the last subscriber left, and keeps it for one that comes back within it', async () => {
    const leaf = countedLeaf();
    const stream = new SharedAlertStream(leaf.open, { graceMs: 50 });
    const one = subscribe(stream);
    const two = subscribe(stream);
    await waitFor('the copy is open', async () => leaf.count.open === 1);
    one.stop();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(leaf.count.open).toBe(1);
    two.stop();
    await waitFor('the copy is closed', async () => leaf.count.open === 0);
    expect(stream.openUpstreams).toBe(0);

    const patient = new SharedAlertStream(leaf.open, { graceMs: 60_000 });
    subscribe(patient).stop();
    const back = subscribe(patient);
    leaf.alerts.record('fired', testAlert(`dev-${1}`, T0));
    await waitFor('the one back gets the change', async () => back.got.length >= 1);
    expect(leaf.count.opened).toBe(2);
    patient.close();
  });

  it('reopens a stream that failed after its last id: subscribers are told it is down, then continue without a gap or a repeat', async () => {
    const leaf = countedLeaf();
    const live = new Set<AlertStreamHandlers>();
    const failing: OpenAlertStream = (lastEventId, handlers) => {
      live.add(handlers);
      const stop = leaf.open(lastEventId, handlers);
      return () => {
        live.delete(handlers);
        stop();
      };
    };
    const stream = new SharedAlertStream(failing);
    const subscribers = Array.from({ length: 3 }, () => subscribe(stream));
    for (const n of range(1, 3)) leaf.alerts.record('fired', testAlert(`dev-${n}`, T0));
    await waitFor('three changes', async () => subscribers.every((s) => s.got.length >= 3));
    for (const handlers of [...live]) handlers.onEnd(new Error('link dropped'));
    for (const n of range(4, 6)) leaf.alerts.record('fired', testAlert(`dev-${n}`, T0));
    await waitFor('six changes', async () => subscribers.every((s) => s.got.length >= 6));
    for (const s of subscribers) {
      expect(s.ids()).toEqual(range(1, 6));
      expect(s.downs).toEqual(['link dropped']);
      expect(s.ends).toEqual([]);
    }
    await waitFor('one stream to the child again', async () => leaf.count.open === 1);
    stream.close();
  });
});
