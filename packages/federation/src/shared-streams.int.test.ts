import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTRPCClient, httpSubscriptionLink } from '@trpc/client';
import { EventSource } from 'eventsource';
import { nodeRouter, type Actor, type NodeRouter, type TrackedAlertChange } from '@tierscope/shared';
import { waitFor } from '@tierscope/test-support/processes';
import { createFederationRuntime, type FederationRuntime } from './federation-runtime.ts';
import { createHttpChildLink } from './links/child-link.ts';
import { startUplink, type Uplink } from './links/uplink-client.ts';
import { countAlertStreams, noAlertStreams, type AlertStreamCount } from './testing/counted-alert-streams.ts';
import type { InMemoryAlerts } from './testing/in-memory-alerts.ts';
import { createInMemoryNodeService } from './testing/in-memory-node-service.ts';
import { serveNode, type ServedNode } from './testing/serve-node.ts';
import { testAlert } from './testing/test-alert.ts';
import type { StreamRootConfig, StreamRootUsage } from './testing/stream-root-process.ts';

/*
 * 500 consoles watching alerts on the BFF, and what each child sees of them:
 *
 *   BFF (own process) ─┬─ district-1 (dialled) ─┬─ probe-a
 *                      │                        └─ probe-b
 *                      └─ probe-u (dials the BFF's uplink)
 */

const CONSOLES = 500;
const T0 = 1_800_000_000_000;
const UPLINK_TOKEN = 'probe-u-token-0123456789';
const parentActor: Actor = { kind: 'node', name: 'parent', role: 'admin' };

interface Leaf {
  id: string;
  path: string;
  alerts: InMemoryAlerts;
  streams: AlertStreamCount;
  /** What every subscriber must see of this leaf, in order: `kind:deviceId`. */
  changes: string[];
}

function leaf(id: string, path: string) {
  const { service, alerts } = createInMemoryNodeService(id, { devices: [], events: [] });
  const streams = noAlertStreams();
  const state: Leaf = { id, path, alerts, streams, changes: [] };
  return { state, service: countAlertStreams(service, streams) };
}

function fire(l: Leaf, deviceId: string): void {
  l.alerts.record('fired', testAlert(deviceId, T0));
  l.changes.push(`fired:${deviceId}`);
}

function resolve(l: Leaf, deviceId: string): void {
  l.alerts.record('resolved', testAlert(deviceId, T0, 'resolved'));
  l.changes.push(`resolved:${deviceId}`);
}

/** One console's subscription: what it received, and how to leave. */
interface Console {
  items: TrackedAlertChange[];
  unsubscribe(): void;
}

function watch(client: ReturnType<typeof createTRPCClient<NodeRouter>>, lastEventId: string | null): Console {
  const items: TrackedAlertChange[] = [];
  const subscription = client.alerts.watch.subscribe(
    { lastEventId },
    { onData: (event) => items.push({ id: event.id, change: event.data }) },
  );
  return { items, unsubscribe: () => subscription.unsubscribe() };
}

/**
 * The leaf's own changes one console saw of one node path, as `kind:deviceId`. Left out: `stale`
 * and `fresh` marks and `node unreachable` alerts, a tier's view of a child it lost for a moment
 * (on a loaded machine a heartbeat may miss its deadline).
 */
const seenOf = (items: readonly TrackedAlertChange[], path: string) =>
  items
    .filter(
      ({ change }) =>
        change.alert.nodePath === path &&
        change.alert.ruleId !== 'node-unreachable' &&
        change.kind !== 'stale' &&
        change.kind !== 'fresh',
    )
    .map(({ change }) => `${change.kind}:${change.alert.deviceId}`);

function usageOf(root: ChildProcess): Promise<StreamRootUsage> {
  return new Promise((resolveUsage) => {
    root.once('message', (message) => resolveUsage(message as StreamRootUsage));
    root.send('usage');
  });
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const cpuMs = (from: StreamRootUsage, to: StreamRootUsage) =>
  Math.round((to.cpuUserMicros + to.cpuSystemMicros - from.cpuUserMicros - from.cpuSystemMicros) / 1000);

// Off with the shared copy (packages/federation/src/query/node-calls.ts): a console that moved between
// BFF replicas got a change twice with it. This proves the sharing again once it is back on.
describe.skip('live streams shared across consoles', () => {
  const probeA = leaf('probe-a', 'district-1/probe-a');
  const probeB = leaf('probe-b', 'district-1/probe-b');
  const probeU = leaf('probe-u', 'probe-u');
  const leaves = [probeA.state, probeB.state, probeU.state];
  const atDistrict = noAlertStreams();
  const served: ServedNode[] = [];
  let district: FederationRuntime;
  let root: ChildProcess;
  let uplink: Uplink;
  let bffUrl: string;

  beforeAll(async () => {
    served.push(await serveNode(probeA.service), await serveNode(probeB.service));
    district = createFederationRuntime({
      id: 'district-1',
      isRoot: false,
      identity: { name: 'district-1', version: 'test', startedAt: Date.now() },
      children: [
        createHttpChildLink({ id: 'probe-a', url: served[0]!.url }),
        createHttpChildLink({ id: 'probe-b', url: served[1]!.url }),
      ],
    });
    district.start();
    const districtNode = await serveNode(() => countAlertStreams(district.service(), atDistrict));
    served.push(districtNode);

    const config: StreamRootConfig = {
      children: [{ id: 'district-1', url: districtNode.url }],
      uplinkTokens: { 'probe-u': UPLINK_TOKEN },
    };
    root = fork(
      fileURLToPath(new URL('./testing/stream-root-process.ts', import.meta.url)),
      [JSON.stringify(config)],
      {
        execArgv: ['--import', 'tsx'],
      },
    );
    const port = await new Promise<number>((resolvePort, reject) => {
      root.once('message', (message) => resolvePort((message as { port: number }).port));
      root.once('exit', (code) => reject(new Error(`the root process exited (${code})`)));
    });
    bffUrl = `http://127.0.0.1:${port}/trpc`;
    uplink = startUplink({
      parentUrl: `ws://127.0.0.1:${port}/uplink`,
      childId: 'probe-u',
      token: UPLINK_TOKEN,
      router: nodeRouter,
      contextOf: () => ({ node: probeU.service, actor: parentActor }),
      // This process also runs the consoles' clients: it may stall, and a late pong loses nothing.
      keepAlive: { pingMs: 5000, pongWaitMs: 30_000 },
    });
    // Each tier follows its children's streams from the start (the mirror of their open alerts).
    await waitFor(
      'every child followed by its parent',
      async () => [atDistrict, ...leaves.map((l) => l.streams)].every((c) => c.open === 1),
      30_000,
    );
  });

  afterAll(async () => {
    await uplink?.stop();
    root?.disconnect();
    district?.stop();
    await Promise.all(served.map((s) => s.close()));
  });

  it(`serves ${CONSOLES} consoles over one stream per child, every change once and in order, a reconnecting console included`, async () => {
    const client = createTRPCClient<NodeRouter>({
      links: [httpSubscriptionLink({ url: bffUrl, EventSource })],
    });
    const beforeConsoles = await usageOf(root);
    const consoles = Array.from({ length: CONSOLES }, () => watch(client, null));
    const changesSeen = (c: Console) => leaves.reduce((sum, l) => sum + seenOf(c.items, l.path).length, 0);
    const allHave = (count: number, among = consoles) =>
      waitFor(
        `${among.length} consoles with ${count} changes`,
        async () => among.every((c) => changesSeen(c) >= count),
        60_000,
      ).catch((e) => {
        const short = among.filter((c) => changesSeen(c) < count);
        console.log(
          'DBG',
          short.length,
          JSON.stringify(leaves.map((l) => [l.path, seenOf(short[0]!.items, l.path).length])),
          JSON.stringify([atDistrict, ...leaves.map((l) => l.streams)]),
        );
        throw e;
      });

    for (const l of leaves) for (let i = 1; i <= 10; i += 1) fire(l, `${l.id}-${i}`);
    await allHave(30);
    const subscribed = await usageOf(root);

    // One console drops and comes back with its last id while more happens.
    const [leaving, ...staying] = consoles;
    leaving!.unsubscribe();
    const lastEventId = leaving!.items.at(-1)!.id;
    const delivered = () => staying.reduce((sum, c) => sum + c.items.length, 0);
    const deliveredBefore = delivered();
    const burstFrom = await usageOf(root);
    for (const l of leaves)
      for (let i = 1; i <= 10; i += 1) {
        resolve(l, `${l.id}-${i}`);
        fire(l, `${l.id}-${i + 10}`);
      }
    await allHave(90, staying);
    const burstTo = await usageOf(root);
    const deliveredInBurst = delivered() - deliveredBefore;
    const back = watch(client, lastEventId);
    await waitFor('the console back has what it missed', async () => changesSeen(back) >= 60, 20_000).catch(
      (e) => {
        console.log(
          'DBG',
          JSON.stringify(
            back.items.map((i) => [i.change.kind, i.change.alert.nodePath, i.change.alert.deviceId]),
          ),
          JSON.stringify([atDistrict, ...leaves.map((l) => l.streams)]),
        );
        throw e;
      },
    );
    // One more change each, so a repeat or a gap in what came before would show.
    for (const l of leaves) fire(l, `${l.id}-last`);
    await allHave(93, staying);
    await waitFor('the console back has the last ones', async () => changesSeen(back) >= 63, 60_000);

    for (const l of leaves) {
      for (const c of staying) expect(seenOf(c.items, l.path)).toEqual(l.changes);
      expect(seenOf(leaving!.items, l.path)).toEqual(l.changes.slice(0, 10));
      expect(seenOf(back.items, l.path)).toEqual(l.changes.slice(10));
    }
    // Whatever caught up meanwhile has joined the shared copy: one stream per child again.
    await waitFor(
      'one stream per child',
      async () => [atDistrict, ...leaves.map((l) => l.streams)].every((c) => c.open === 1),
      30_000,
    );
    const perChild = (figure: (count: AlertStreamCount) => number): Record<string, number> =>
      Object.fromEntries([
        ['district-1', figure(atDistrict)] as const,
        ...leaves.map((l) => [l.path, figure(l.streams)] as const),
      ]);
    const figures = {
      consoles: CONSOLES,
      streams_open_per_child: perChild((count) => count.open),
      streams_peak_per_child: perChild((count) => count.peak),
      bff_rss_mb_no_consoles: mb(beforeConsoles.rssBytes),
      bff_rss_mb_with_consoles: mb(subscribed.rssBytes),
      bff_heap_mb_with_consoles: mb(subscribed.heapUsedBytes),
      bff_cpu_ms_subscribe_and_first_30_changes: cpuMs(beforeConsoles, subscribed),
      bff_cpu_ms_60_changes_to_all_consoles: cpuMs(burstFrom, burstTo),
      // Stale/fresh marks count too: a child lost for a moment on a loaded machine adds some.
      items_delivered_for_60_changes: deliveredInBurst,
      bff_cpu_us_per_item_delivered: Math.round((cpuMs(burstFrom, burstTo) * 1000) / deliveredInBurst),
    };
    console.log(JSON.stringify({ test: 'shared-streams', ...figures }));
    expect(figures.streams_open_per_child).toEqual({
      'district-1': 1,
      'district-1/probe-a': 1,
      'district-1/probe-b': 1,
      'probe-u': 1,
    });
    back.unsubscribe();
    for (const c of staying) c.unsubscribe();
  });
});
