import { describe, expect, it } from 'vitest';
import type { Actor, Alert, NodeService, TrackedAlertChange } from '@tierscope/shared';
import { waitFor } from '@tierscope/test-support/processes';
import { iterableStreamMember, type AlertStreamHandlers } from './alert-stream.ts';
import { createFederatedNodeService } from './federated-node-service.ts';
import { createHeartbeat } from '../links/heartbeat.ts';
import { SharedAlertStream, type OpenAlertStream } from './shared-alert-stream.ts';
import {
  countAlertStreams,
  noAlertStreams,
  type AlertStreamCount,
} from '../testing/counted-alert-streams.ts';
import { createInMemoryNodeService } from '../testing/in-memory-node-service.ts';
import { createInProcessChildLink } from '../testing/in-process-link.ts';

const T0 = 1_800_000_000_000;

function alert(n: number, state: Alert['state'] = 'firing'): Omit<Alert, 'nodePath'> {
  return {
    id: `hot:dev-${n}:${T0}`,
    fingerprint: `hot:dev-${n}`,
    ruleId: 'hot',
    ruleName: 'Too hot',
    deviceId: `dev-${n}`,
    subjectPath: null,
    severity: 'critical',
    state,
    summary: `dev-${n} too hot`,
    value: 40,
    startedAt: T0 + n,
    updatedAt: T0 + n,
    resolvedAt: state === 'resolved' ? T0 + n + 1 : null,
    ack: null,
    silenced: false,
    stale: false,
  };
}

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
  it('serves every subscriber every change once, in order, from one stream to the child', async () => {
    const leaf = countedLeaf();
    const stream = new SharedAlertStream(leaf.open);
    const subscribers = Array.from({ length: 200 }, () => subscribe(stream));
    for (const n of range(1, 50)) leaf.alerts.record('fired', alert(n));
    await waitFor('every subscriber has 50 changes', async () =>
      subscribers.every((s) => s.got.length >= 50),
    );
    for (const s of subscribers) expect(s.ids()).toEqual(range(1, 50));
    expect(leaf.count).toEqual({ open: 1, opened: 1, peak: 1 });
    stream.close();
  });

  it('gives a late joiner with an id it cannot resume from every change after it once, in order, then serves it from the copy', async () => {
    const leaf = countedLeaf();
    leaf.alerts.record('fired', alert(1)); // 1
    leaf.alerts.record('fired', alert(2)); // 2
    leaf.alerts.record('resolved', alert(1, 'resolved')); // 3
    leaf.alerts.record('fired', alert(3)); // 4
    const stream = new SharedAlertStream(leaf.open);
    const first = subscribe(stream);
    // Opened without an id, the copy starts with the open alerts: 2 and 4, not 3 (alert 1 is resolved).
    await waitFor('the open alerts', async () => first.got.length >= 2);
    expect(first.ids()).toEqual([2, 4]);

    // Its id is among the copy's, but the copy skipped change 3 after it: it must still get 3.
    const late = subscribe(stream, '2');
    await waitFor('the late joiner catches up', async () => late.got.length >= 2);
    await waitFor('its own stream closes once it joined the copy', async () => leaf.count.open === 1);
    for (const n of range(5, 8)) leaf.alerts.record('fired', alert(n));
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
    leaf.alerts.record('fired', alert(1));
    await waitFor('the copy has change 1', async () => first.got.length >= 1);
    // A late joiner makes the copy exact (reopened from its last id): later ids are join points.
    const older = subscribe(stream, '1');
    await waitFor('the copy is exact', async () => stream.openUpstreams === 1 && leaf.count.open === 1);
    for (const n of range(2, 9)) leaf.alerts.record('fired', alert(n));
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

  it('filters each subscriber by its own scope while the child sees one stream', async () => {
    const probeA = createInMemoryNodeService('probe-a', { devices: [], events: [] });
    const probeB = createInMemoryNodeService('probe-b', { devices: [], events: [] });
    const a = createInProcessChildLink('probe-a', probeA.service);
    const b = createInProcessChildLink('probe-b', probeB.service);
    const atDistrict: AlertStreamCount = noAlertStreams();
    const districtFor = (actor: Actor): NodeService =>
      countAlertStreams(
        createFederatedNodeService({
          id: 'district-1',
          isRoot: false,
          children: [a, b],
          heartbeat: createHeartbeat([a, b], { downAfterMs: 60_000 }),
          actor,
        }),
        atDistrict,
      );
    const district = createInProcessChildLink('district-1', districtFor);
    const rootFor = (actor: Actor) =>
      createFederatedNodeService({
        id: 'bff',
        isRoot: true,
        children: [district],
        heartbeat: createHeartbeat([district], { downAfterMs: 60_000 }),
        actor,
      });
    const user = (name: string, scope?: string[]): Actor => ({
      kind: 'user',
      name,
      role: 'viewer',
      ...(scope && { scope }),
    });
    const controller = new AbortController();
    const watched = (actor: Actor) => {
      const paths: string[] = [];
      void (async () => {
        for await (const item of rootFor(actor).alerts.watch({}, controller.signal))
          paths.push(item.change.alert.nodePath);
      })();
      return paths;
    };
    const onlyA = watched(user('ann', ['district-1/probe-a']));
    const onlyB = watched(user('bob', ['district-1/probe-b']));
    const everything = watched(user('eve'));
    probeA.alerts.record('fired', alert(1));
    probeB.alerts.record('fired', alert(2));
    probeA.alerts.record('fired', alert(3));
    await waitFor('the unscoped subscriber has all three', async () => everything.length >= 3);
    await waitFor('the scoped ones have theirs', async () => onlyA.length >= 2 && onlyB.length >= 1);
    expect(onlyA).toEqual(['district-1/probe-a', 'district-1/probe-a']);
    expect(onlyB).toEqual(['district-1/probe-b']);
    expect(everything.sort()).toEqual(['district-1/probe-a', 'district-1/probe-a', 'district-1/probe-b']);
    expect(atDistrict).toEqual({ open: 1, opened: 1, peak: 1 });
    controller.abort();
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
    leaf.alerts.record('fired', alert(1));
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
    for (const n of range(1, 3)) leaf.alerts.record('fired', alert(n));
    await waitFor('three changes', async () => subscribers.every((s) => s.got.length >= 3));
    for (const handlers of [...live]) handlers.onEnd(new Error('link dropped'));
    for (const n of range(4, 6)) leaf.alerts.record('fired', alert(n));
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
