import { join } from 'node:path';
import type { NodeInfo } from '@tierscope/shared';
import { TEST_BFF_ENV } from '@tierscope/test-support/console-session';
import {
  BFF_MAIN,
  spawnNode,
  spawnTier,
  waitFor,
  type NodeProcess,
  type TierProcess,
} from '@tierscope/test-support/processes';

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
