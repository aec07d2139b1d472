import { afterEach, describe, expect, it } from 'vitest';
import type { Actor, AlertNotification, NodeService, TrackedAlertChange } from '@tierscope/shared';
import { createFederatedNodeService } from './federated-node-service.ts';
import { createHeartbeat } from '../links/heartbeat.ts';
import { NodeUnreachableAlerts } from './unreachable-alerts.ts';
import { createInMemoryNodeService } from '../testing/in-memory-node-service.ts';
import { createInProcessChildLink, type InProcessChildLink } from '../testing/in-process-link.ts';
import type { InMemoryAlerts } from '../testing/in-memory-alerts.ts';
import type { AlertStreamHandlers } from './alert-stream.ts';
import { ChildAlertMirror } from './child-alert-mirror.ts';
import { testAlert } from '../testing/test-alert.ts';
import { remoteOfClient } from './node-calls.ts';

const T0 = 1_800_000_000_000;
const operator: Actor = { kind: 'user', name: 'olga', role: 'operator' };

interface Leaf {
  alerts: InMemoryAlerts;
  link: InProcessChildLink;
  service: NodeService;
}

function leaf(id: string): Leaf {
  const { service, alerts } = createInMemoryNodeService(id, { devices: [], events: [] });
  return { alerts, service, link: createInProcessChildLink(id, service) };
}

/** root (bff) ── district-1 ─┬─ probe-a
 *                            └─ probe-b                */
function threeTiers() {
  const a = leaf('probe-a');
  const b = leaf('probe-b');
  const districtChildren = [a.link, b.link];
  const district = createFederatedNodeService({
    id: 'district-1',
    isRoot: false,
    children: districtChildren,
    heartbeat: createHeartbeat(districtChildren, { downAfterMs: 60_000 }),
  });
  const districtLink = createInProcessChildLink('district-1', district);
  const root = createFederatedNodeService({
    id: 'bff',
    isRoot: true,
    children: [districtLink],
    heartbeat: createHeartbeat([districtLink], { downAfterMs: 60_000 }),
  });
  return { a, b, district, root };
}

const controllers: AbortController[] = [];
afterEach(() => {
  for (const c of controllers.splice(0)) c.abort();
});

/** A subscriber that keeps every item it gets, and can wait for a count. */
function subscribe(service: NodeService, lastEventId?: string) {
  const controller = new AbortController();
  controllers.push(controller);
  const items: TrackedAlertChange[] = [];
  let notify: (() => void) | undefined;
  void (async () => {
    try {
      for await (const item of service.alerts.watch(
        { lastEventId: lastEventId ?? null },
        controller.signal,
      )) {
        items.push(item);
        notify?.();
      }
    } catch {
      // aborted
    }
  })();
  return {
    items,
    stop: () => controller.abort(),
    async until(predicate: (items: TrackedAlertChange[]) => boolean, what: string): Promise<void> {
      const deadline = Date.now() + 10_000;
      while (!predicate(items)) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(items.map(label))}`);
        await new Promise<void>((resolve) => {
          notify = resolve;
          setTimeout(resolve, 50);
        });
      }
    },
  };
}

const label = (i: TrackedAlertChange) =>
  `${i.change.kind}:${i.change.alert.nodePath}:${i.change.alert.deviceId}`;

describe('federated alert stream', { timeout: 20_000 }, () => {
  it('merges every tier’s changes with full paths, and resumes after a last id with exactly what was missed', async () => {
    const { a, b, root } = threeTiers();
    a.alerts.record('fired', testAlert('x1', T0));
    b.alerts.record('fired', testAlert('y1', T0 + 1));
    const first = subscribe(root);
    await first.until((items) => items.length >= 2, 'the open alerts');
    expect(first.items.map(label).sort()).toEqual([
      'fired:district-1/probe-a:x1',
      'fired:district-1/probe-b:y1',
    ]);
    const lastId = first.items.at(-1)!.id;
    first.stop();

    // Missed while away: three changes over two probes, in this order per probe.
    a.alerts.record('acked', { ...testAlert('x1', T0), ack: { by: 'olga', at: T0 + 5, note: '' } }, T0 + 5);
    b.alerts.record('resolved', testAlert('y1', T0 + 1, 'resolved'), T0 + 6);
    a.alerts.record('fired', testAlert('x2', T0 + 7), T0 + 7);

    const resumed = subscribe(root, lastId);
    await resumed.until((items) => items.length >= 3, 'the missed changes');
    await new Promise((r) => setTimeout(r, 200)); // nothing more may come
    const fromA = resumed.items.filter((i) => i.change.alert.nodePath === 'district-1/probe-a').map(label);
    expect(fromA).toEqual(['acked:district-1/probe-a:x1', 'fired:district-1/probe-a:x2']);
    expect(resumed.items).toHaveLength(3);
    expect(resumed.items.find((i) => i.change.kind === 'resolved')!.change.at).toBe(T0 + 6);
  });

  it('marks a lost child’s open alerts stale, then delivers what it raised meanwhile exactly once, in order, with original times', async () => {
    const { a, root } = threeTiers();
    a.alerts.record('fired', testAlert('x1', T0));
    const sub = subscribe(root);
    await sub.until((items) => items.length >= 1, 'the open alert');

    a.link.cut();
    await sub.until((items) => items.some((i) => i.change.kind === 'stale'), 'the stale mark');
    const stale = sub.items.find((i) => i.change.kind === 'stale')!;
    expect(stale.change.alert).toMatchObject({ id: `hot:x1:${T0}`, stale: true });

    // While cut off, the probe resolves x1 and fires x2 and x3.
    a.alerts.record('resolved', testAlert('x1', T0, 'resolved'), T0 + 10);
    a.alerts.record('fired', testAlert('x2', T0 + 11), T0 + 11);
    a.alerts.record('fired', testAlert('x3', T0 + 12), T0 + 12);
    a.link.restore();

    await sub.until(
      (items) => items.filter((i) => i.change.alert.deviceId === 'x3').length >= 1,
      'the changes after the cut',
    );
    await new Promise((r) => setTimeout(r, 300));
    const real = sub.items.filter((i) => i.change.kind !== 'stale' && i.change.kind !== 'fresh');
    expect(real.map((i) => [i.change.kind, i.change.alert.deviceId, i.change.at])).toEqual([
      ['fired', 'x1', T0],
      ['resolved', 'x1', T0 + 10],
      ['fired', 'x2', T0 + 11],
      ['fired', 'x3', T0 + 12],
    ]);
  });

  it('rejects a last id that is not a federated stream id', async () => {
    const { root } = threeTiers();
    const controller = new AbortController();
    const stream = root.alerts.watch({ lastEventId: 'garbage' }, controller.signal);
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toThrow(/not a federated stream id/);
  });
});

describe('federated alerts', () => {
  it('routes an ack by path to the owning probe and lists it acked at the root', async () => {
    const { a, root } = threeTiers();
    a.alerts.record('fired', testAlert('x1', T0));
    const acked = await root.alerts.ack(
      { nodePath: 'district-1/probe-a', id: `hot:x1:${T0}`, note: 'mine' },
      operator,
    );
    expect(acked).toMatchObject({ nodePath: 'district-1/probe-a', ack: { note: 'mine' } });
    const page = await root.alerts.list({ limit: 10 });
    expect(page.items.map((i) => [i.nodePath, i.ack?.note])).toEqual([['district-1/probe-a', 'mine']]);
    expect(page.coverage).toMatchObject({ asked: 2, answered: 2 });
  });

  it('lists a silent child’s last known alerts as stale next to one node-unreachable alert, and says the child is missing', async () => {
    const a = leaf('probe-a');
    const b = leaf('probe-b');
    a.alerts.record('fired', testAlert('x1', T0));
    b.alerts.record('fired', testAlert('y1', T0));
    const mirror = new ChildAlertMirror();
    mirror.follow({ id: 'probe-a', prefix: 'district-1/', open: (id, h) => remoteWatch(a.link, id, h) });
    await new Promise((r) => setTimeout(r, 300));
    const unreachable = new NodeUnreachableAlerts();
    a.link.cut();
    unreachable.childDown('district-1/probe-a', T0 + 100);
    const district = createFederatedNodeService({
      id: 'district-1',
      isRoot: false,
      children: [a.link, b.link],
      heartbeat: createHeartbeat([a.link, b.link], { downAfterMs: 60_000 }),
      unreachable,
      mirror,
    });
    const page = await district.alerts.list({ limit: 10 });
    expect(page.items.map((i) => [i.ruleId, i.nodePath, i.stale])).toEqual([
      ['node-unreachable', 'district-1/probe-a', false],
      ['hot', 'district-1/probe-a', true],
      ['hot', 'district-1/probe-b', false],
    ]);
    expect(page.coverage.answered).toBe(1);
    expect(page.coverage.nodes.find((n) => n.path === 'district-1/probe-a')?.state).toBe('unreachable');
    mirror.stop();
  });
});

function remoteWatch(
  link: InProcessChildLink,
  lastEventId: string | undefined,
  handlers: AlertStreamHandlers,
) {
  return remoteOfClient(link.client).watchAlerts(lastEventId, handlers);
}

describe('federated alert notifications', () => {
  const told = (tier: string, createdAt: number): AlertNotification => ({
    tier,
    recipient: `email:${tier}@example.com`,
    recipientName: tier,
    channel: 'email',
    event: 'firing',
    escalationId: 'oncall',
    createdAt,
    outcome: 'delivered',
    attempts: 1,
    settledAt: createdAt + 1,
    lastError: null,
  });

  function tree() {
    const { service, controls } = createInMemoryNodeService('probe-a', { devices: [], events: [] });
    service.alerts.notifications = async (ref) => {
      if (controls.failWith) throw controls.failWith;
      return { ...ref, notifications: [told('probe-a', T0)], unanswered: [] };
    };
    const probe = createInProcessChildLink('probe-a', service);
    const district = createFederatedNodeService({
      id: 'district-1',
      isRoot: false,
      children: [probe],
      heartbeat: createHeartbeat([probe], { downAfterMs: 60_000 }),
      notifications: async () => [told('district-1', T0 + 2)],
    });
    const districtLink = createInProcessChildLink('district-1', district);
    const root = createFederatedNodeService({
      id: 'bff',
      isRoot: true,
      children: [districtLink],
      heartbeat: createHeartbeat([districtLink], { downAfterMs: 60_000 }),
      notifications: async () => [told('bff', T0 + 1)],
    });
    return { root, controls };
  }

  it('lists every tier on the alert’s way, each under its path, oldest first', async () => {
    const { root } = tree();
    const found = await root.alerts.notifications({ nodePath: 'district-1/probe-a', id: 'hot:x:1' });
    expect(found.notifications.map((n) => [n.tier, n.recipient])).toEqual([
      ['district-1/probe-a', 'email:probe-a@example.com'],
      ['bff', 'email:bff@example.com'],
      ['district-1', 'email:district-1@example.com'],
    ]);
    expect(found.unanswered).toEqual([]);
  });

  it('names an owner that does not answer and still lists what the tiers above sent', async () => {
    const { root, controls } = tree();
    controls.failWith = new Error('probe-a is down');
    const found = await root.alerts.notifications({ nodePath: 'district-1/probe-a', id: 'hot:x:1' });
    expect(found.notifications.map((n) => n.tier)).toEqual(['bff', 'district-1']);
    expect(found.unanswered).toEqual(['district-1/probe-a']);
  });
});
