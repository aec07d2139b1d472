import { describe, expect, it } from 'vitest';
import type { Actor, NodeService, TrackedAlertChange } from '@tierscope/shared';
import { runAsActor } from '../links/acting-user.ts';
import { createFederatedNodeService } from './federated-node-service.ts';
import { createHeartbeat } from '../links/heartbeat.ts';
import { outOfScopeService } from './out-of-scope-service.ts';
import {
  createInMemoryNodeService,
  generateDevices,
  generateEvents,
} from '../testing/in-memory-node-service.ts';
import { createInProcessChildLink } from '../testing/in-process-link.ts';
import { testAlert } from '../testing/test-alert.ts';
import { countAlertStreams, noAlertStreams } from '../testing/counted-alert-streams.ts';
import { waitFor } from '@tierscope/test-support/processes';

const T0 = 1_800_000_000_000;

/** A leaf as a real node serves it: a scoped caller outside it sees nothing. */
function leaf(id: string, seed: number) {
  const created = createInMemoryNodeService(id, {
    devices: generateDevices(id, 12, seed),
    events: generateEvents(id, 12, seed),
  });
  created.alerts.record('fired', testAlert(`dev-${seed}-0`, T0));
  const serve = (actor: Actor): NodeService =>
    actor.scope === undefined || actor.scope.some((root) => id === root || id.startsWith(`${root}/`))
      ? created.service
      : outOfScopeService(id);
  return createInProcessChildLink(id, serve);
}

/** root (bff) ─┬─ district-1 ─┬─ probe-a
 *              │              └─ probe-b
 *              └─ probe-d                    every tier builds its service per call, for its caller */
function tree() {
  const a = leaf('probe-a', 1);
  const b = leaf('probe-b', 2);
  const d = leaf('probe-d', 3);
  // The alert streams district-1 serves its parent, counted there.
  const districtStreams = noAlertStreams();
  const districtFor = (actor: Actor) =>
    countAlertStreams(
      createFederatedNodeService({
        id: 'district-1',
        isRoot: false,
        children: [a, b],
        heartbeat: createHeartbeat([a, b], { downAfterMs: 60_000 }),
        actor,
      }),
      districtStreams,
    );
  const district = createInProcessChildLink('district-1', districtFor);
  const rootFor = (actor: Actor) =>
    createFederatedNodeService({
      id: 'bff',
      isRoot: true,
      children: [district, d],
      heartbeat: createHeartbeat([district, d], { downAfterMs: 60_000 }),
      actor,
    });
  return { rootFor, probeA: a, districtStreams };
}

const scoped = (scope?: string[]): Actor => ({
  kind: 'user',
  name: 'sam',
  role: 'operator',
  ...(scope && { scope }),
});

describe('a user scoped to a subtree', () => {
  it('sees only that subtree in devices, events, alerts and counts, through every tier', async () => {
    const { rootFor } = tree();
    const root = rootFor(scoped(['district-1/probe-a']));
    const devices = await root.devices.list({ limit: 500 });
    expect(new Set(devices.items.map((d) => d.nodePath))).toEqual(new Set(['district-1/probe-a']));
    expect(devices.items).toHaveLength(12);
    const events = await root.events.search({ limit: 500 });
    expect(new Set(events.items.map((e) => e.nodePath))).toEqual(new Set(['district-1/probe-a']));
    const alerts = await root.alerts.list({ limit: 500 });
    expect(alerts.items.map((a) => a.nodePath)).toEqual(['district-1/probe-a']);
    // The unscoped view of the same tree has all three probes.
    const everything = await rootFor(scoped()).devices.list({ limit: 500 });
    expect(new Set(everything.items.map((d) => d.nodePath)).size).toBe(3);
  });

  it('cannot reach a node outside its scope by path, even for a single item', async () => {
    const { rootFor } = tree();
    const root = rootFor(scoped(['district-1/probe-a']));
    await expect(root.devices.get({ nodePath: 'probe-d', deviceId: 'dev-3-0' })).rejects.toThrow(
      /no node probe-d/,
    );
    await expect(
      root.alerts.ack(
        { nodePath: 'district-1/probe-b', id: `hot:dev-2-0:${T0}`, note: '' },
        scoped(['district-1/probe-a']),
      ),
    ).rejects.toThrow();
  });

  it('acks an alert in scope through every tier, each tier below being told the scope in its own paths', async () => {
    const { rootFor } = tree();
    const user = scoped(['district-1/probe-a']);
    // The leaf serves only a caller whose scope names it as `probe-a`: handed the scope as the
    // root sees it (`district-1/probe-a`), it would answer as out of scope.
    const acked = await rootFor(user).alerts.ack(
      { nodePath: 'district-1/probe-a', id: `hot:dev-1-0:${T0}`, note: 'on it' },
      user,
    );
    expect(acked).toMatchObject({ nodePath: 'district-1/probe-a', ack: { by: 'sam', note: 'on it' } });
  });

  it('gets only in-scope changes on the live stream', async () => {
    const { rootFor } = tree();
    const controller = new AbortController();
    const seen: TrackedAlertChange[] = [];
    const done = (async () => {
      for await (const item of rootFor(scoped(['district-1'])).alerts.watch({}, controller.signal)) {
        seen.push(item);
        if (seen.length >= 2) break;
      }
    })();
    await Promise.race([done, new Promise((r) => setTimeout(r, 3000))]);
    controller.abort();
    expect(seen.map((i) => i.change.alert.nodePath).sort()).toEqual([
      'district-1/probe-a',
      'district-1/probe-b',
    ]);
  });

  it('is answered nothing by a node outside its scope called directly with its identity', async () => {
    const { probeA } = tree();
    const asUser = (scope: string[]) =>
      runAsActor(scoped(scope), () => probeA.client.devices.list.query({ limit: 100 }));
    expect((await asUser(['probe-d'])).items).toEqual([]);
    expect((await asUser(['probe-a'])).items).toHaveLength(12);
  });

  it('gets only its own scope when subscribers of several scopes watch at once', async () => {
    const { rootFor } = tree();
    const controller = new AbortController();
    const watched = (scope?: string[]) => {
      const paths: string[] = [];
      void (async () => {
        for await (const item of rootFor(scoped(scope)).alerts.watch({}, controller.signal))
          paths.push(item.change.alert.nodePath);
      })();
      return paths;
    };
    const onlyA = watched(['district-1/probe-a']);
    const onlyB = watched(['district-1/probe-b']);
    const onlyD = watched(['probe-d']);
    const everything = watched();
    await waitFor('the unscoped subscriber has every open alert', async () => everything.length >= 3);
    await waitFor('each scoped one has its own', async () =>
      [onlyA, onlyB, onlyD].every((paths) => paths.length >= 1),
    );
    expect(onlyA).toEqual(['district-1/probe-a']);
    expect(onlyB).toEqual(['district-1/probe-b']);
    expect(onlyD).toEqual(['probe-d']);
    expect(everything.sort()).toEqual(['district-1/probe-a', 'district-1/probe-b', 'probe-d']);
    controller.abort();
  });
});
