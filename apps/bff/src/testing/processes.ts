import { join } from 'node:path';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import type { ConsoleApiRouter, NodeInfo, NodeRouter } from '@tierscope/shared';
import { fetchAs, loginToConsole, TEST_BFF_ENV } from '@tierscope/test-support/console-session';
import {
  BFF_MAIN,
  spawnNode,
  spawnTier,
  waitFor,
  waitReady,
  type NodeProcess,
  type TierProcess,
} from '@tierscope/test-support/processes';
import type { TierBackend } from '@tierscope/test-support/tier-backends';

/** The process helpers the BFF's tests over real tiers use; shared with the node's tests. */
export {
  freePort,
  spawnTier,
  waitFor,
  waitReady,
  type NodeProcess,
  type TierProcess,
} from '@tierscope/test-support/processes';
export {
  fetchAs,
  fetchWithHeaders,
  loginToConsole,
  type ConsoleSession,
} from '@tierscope/test-support/console-session';

/**
 * A node process for a test: PGlite in memory, its data under `<dataDir>/<id>`, its embedded broker
 * on a free port (`mqttUrl`); `env` adds its place in the tiers (CHILDREN, PARENT_UPLINK_URL, tokens, …).
 * These tests play their devices without logins, so the broker is told to take anonymous devices
 * (DEVICE_AUTH=off) unless `env` says otherwise. Wait for it with waitReady.
 */
export function spawnTestNode(
  id: string,
  dataDir: string,
  env: Record<string, string> = {},
): Promise<NodeProcess> {
  return spawnNode(id, {
    DATABASE_URL: 'pglite:memory',
    DATA_DIR: join(dataDir, id),
    DEVICE_AUTH: 'off',
    ...env,
  });
}

/** A BFF process with its own database in memory and the test admin (log in with loginToConsole). */
export function spawnBff(env: Record<string, string>): Promise<TierProcess> {
  return spawnTier('bff', BFF_MAIN, { ...TEST_BFF_ENV, ...env });
}

/** Waits until the BFF's tree has `count` nodes, children and grandchildren, every one `up`. */
export async function waitForNodesUp(
  nodeInfo: () => Promise<NodeInfo>,
  count: number,
  timeoutMs: number,
): Promise<void> {
  await waitFor(
    'every node up at the BFF',
    async () => {
      const info = await nodeInfo();
      const states = (info.children ?? [])
        .flatMap((c) => [c, ...(c.info?.children ?? [])])
        .map((c) => c.state);
      return states.length === count && states.every((state) => state === 'up');
    },
    timeoutMs,
  );
}

/** The tree of the bulk-action tests: probes a and b (and d) under district-1, probe-c straight under the BFF. */
export interface ProbeTree {
  probes: Record<'a' | 'b' | 'c', NodeProcess> & { d?: NodeProcess };
  /** Every process, the BFF last: stop them all after the test. */
  tiers: TierProcess[];
  /** The BFF's API, logged in as the test admin. */
  operator: TRPCClient<ConsoleApiRouter>;
}

export interface ProbeTreeOptions {
  /** Added to every probe's settings. */
  probeEnv?: Record<string, string>;
  /** Where each tier stores its data and meets its devices: PGlite and embedded brokers without it. */
  backend?: TierBackend;
  /** A fourth probe, `district-1/probe-d`. */
  probeD?: boolean;
}

/**
 *   bff ─┬─ district-1 ─┬─ probe-a
 *        │              ├─ probe-b
 *        │              └─ probe-d   (with `probeD`)
 *        └─ probe-c
 * Every node ready and up at the BFF.
 */
export async function startProbeTree(
  dataDir: string,
  readyTimeoutMs: number,
  { probeEnv = {}, backend, probeD = false }: ProbeTreeOptions = {},
): Promise<ProbeTree> {
  const nodeEnv = async (id: string) => ({ ...(await backend?.nodeEnv(id)), ...probeEnv });
  const ids = ['probe-a', 'probe-b', 'probe-c', ...(probeD ? ['probe-d'] : [])];
  const [a, b, c, d] = await Promise.all(
    ids.map(async (id) => spawnTestNode(id, dataDir, await nodeEnv(id))),
  );
  const tiers: TierProcess[] = [a!, b!, c!, ...(d ? [d] : [])];
  try {
    const districtChildren = [a!, b!, ...(d ? [d] : [])].map((probe) => `${probe.id}=${probe.url}`);
    const district = await spawnTestNode('district-1', dataDir, {
      ...(await backend?.nodeEnv('district-1')),
      CHILDREN: districtChildren.join(','),
    });
    tiers.push(district);
    const bff = await spawnBff({
      ...(await backend?.bffEnv()),
      CHILDREN: `district-1=${district.url},probe-c=${c!.url}`,
      WEB_DIST: join(dataDir, 'no-console-here'),
    });
    tiers.push(bff);
    await Promise.all(tiers.map((tier) => waitReady(tier, readyTimeoutMs)));
    const operator = createTRPCClient<ConsoleApiRouter>({
      links: [httpLink({ url: `${bff.url}/trpc`, fetch: fetchAs(await loginToConsole(bff.url)) })],
    });
    await waitForNodesUp(() => operator.node.info.query(), ids.length + 1, readyTimeoutMs);
    return { probes: { a: a!, b: b!, c: c!, ...(d && { d }) }, tiers, operator };
  } catch (error) {
    // The caller never gets the processes to stop: a tree that did not come up is stopped here.
    await Promise.allSettled(tiers.map((tier) => tier.stop('SIGTERM', 15_000)));
    throw error;
  }
}

/** A node's own API, called as a parent would (these tests' nodes take calls without a token). */
export const nodeApi = (tier: TierProcess): TRPCClient<NodeRouter> =>
  createTRPCClient<NodeRouter>({ links: [httpLink({ url: `${tier.url}/trpc` })] });
