// Tiers as real processes for the federation and alerts benches, through the launcher
// (@tierscope/test-support/processes): leaf nodes, each with a fresh PostgreSQL database and its
// embedded broker, and the BFF. What is the bench's own: every process is killed on interrupt, and a
// node can be frozen (SIGSTOP) to stall it; the launcher's stop thaws it first.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import type { NodeRouter } from '@tierscope/shared';
import { loginToConsole, TEST_BFF_ENV, type ConsoleSession } from '@tierscope/test-support/console-session';
import {
  BFF_MAIN,
  spawnNode,
  spawnTier,
  waitFor,
  waitReady,
  type ExitStatus,
  type TierProcess,
} from '@tierscope/test-support/processes';
import { onInterrupt, progress } from './bench.ts';
import { createBenchDatabase, type BenchDatabase } from './database.ts';

/** Many nodes start at once on a small machine. */
const READY_TIMEOUT_MS = 90_000;
/** How long a tier may take to stop after SIGTERM before it is killed. */
const STOP_GRACE_MS = 5000;

export interface BenchTier extends TierProcess {
  /** SIGSTOP: the process keeps its sockets (connections are accepted by the kernel) but answers nothing. */
  freeze(): void;
  /** SIGCONT after `freeze`. */
  thaw(): void;
  /** SIGTERM (thawed first), SIGKILL after the grace; resolves on exit. */
  stop(): Promise<ExitStatus>;
}

function flagsFrom(variable: string): string[] {
  return (process.env[variable] ?? '').split(' ').filter(Boolean);
}

/** Registers `tier` to be killed on interrupt (no time for a graceful stop then) and waits until it is ready. */
async function benchTier(tier: TierProcess): Promise<BenchTier> {
  const unregister = onInterrupt(async () => {
    await tier.stop('SIGKILL');
  });
  const stop = async (): Promise<ExitStatus> => {
    unregister();
    return tier.stop('SIGTERM', STOP_GRACE_MS);
  };
  try {
    await waitReady(tier, READY_TIMEOUT_MS);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    ...tier,
    freeze: () => tier.signal('SIGSTOP'),
    thaw: () => tier.signal('SIGCONT'),
    stop,
  };
}

export interface LeafNode {
  id: string;
  /** The running process; a new one after `restart`. */
  readonly tier: BenchTier;
  /** The node's embedded aedes broker. */
  mqttUrl: string;
  database: BenchDatabase;
  /** Stops the process (its database and data directory stay), waits until it exited. */
  halt(): Promise<void>;
  /** Starts it again on the same ports, database and data directory; waits for /readyz. */
  resume(): Promise<void>;
  /** Stops the process, then drops its database and data directory. */
  stop(): Promise<void>;
}

/** A leaf node (BENCH_FED_NODE_FLAGS adds node flags) on a fresh PostgreSQL database, with its embedded broker on a spare port; waits for /readyz. */
export async function startLeafNode(id: string, env: Record<string, string> = {}): Promise<LeafNode> {
  const database = await createBenchDatabase(`fed_${id.replace(/-/g, '_')}`);
  const dataDir = await mkdtemp(join(tmpdir(), `tierscope-bench-${id}-`));
  const removeDataDir = onInterrupt(() => rm(dataDir, { recursive: true, force: true }));
  let tier: BenchTier | undefined;
  const cleanup = async (): Promise<void> => {
    await tier?.stop();
    await database.drop();
    removeDataDir();
    await rm(dataDir, { recursive: true, force: true });
  };
  const spawn = async (spawnEnv: Record<string, string>) => {
    const node = await spawnNode(
      id,
      {
        HTTP_HOST: '127.0.0.1',
        DATABASE_URL: database.url,
        DATA_DIR: dataDir,
        MQTT_URL: '',
        // The bench's publishers play devices without logins.
        DEVICE_AUTH: 'off',
        ...spawnEnv,
      },
      // Piped, never inherited: the bench's stdout carries exactly one JSON line.
      { flags: flagsFrom('BENCH_FED_NODE_FLAGS') },
    );
    tier = await benchTier(node);
    progress(`node ${id} ready (pid ${tier.pid}, ${tier.url}, ${node.mqttUrl})`);
    return node;
  };
  try {
    const node = await spawn(env);
    const samePorts = { ...env, HTTP_PORT: String(node.port), MQTT_PORT: new URL(node.mqttUrl).port };
    return {
      id,
      get tier() {
        return tier!;
      },
      mqttUrl: node.mqttUrl,
      database,
      halt: async () => {
        await tier?.stop();
      },
      resume: async () => {
        await spawn(samePorts);
      },
      stop: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** A BFF and a console session on it: every /trpc call to a BFF needs one. */
export interface BffProcess extends BenchTier {
  session: ConsoleSession;
}

/**
 * The BFF federating `children` directly (BENCH_BFF_FLAGS adds node flags), its users in memory;
 * waits for /readyz and logs in as the first admin.
 */
export async function startBff(
  children: readonly { id: string; url: string }[],
  env: Record<string, string> = {},
): Promise<BffProcess> {
  const tier = await benchTier(
    await spawnTier(
      'bff',
      BFF_MAIN,
      {
        HTTP_HOST: '127.0.0.1',
        NODE_ID: 'bff',
        CHILDREN: children.map((c) => `${c.id}=${c.url}`).join(','),
        // No console to serve: the bench measures the API.
        WEB_DIST: join(tmpdir(), 'tierscope-bench-no-console'),
        ...TEST_BFF_ENV,
        ...env,
      },
      { flags: flagsFrom('BENCH_BFF_FLAGS') },
    ),
  );
  let session: ConsoleSession;
  try {
    session = await loginToConsole(tier.url);
  } catch (error) {
    await tier.stop();
    throw error;
  }
  progress(`bff ready (pid ${tier.pid}, ${tier.url})`);
  return { ...tier, session };
}

/** Where a bench reaches a BFF: its URL and the console session's headers. */
export interface BffApi {
  url: string;
  headers: Record<string, string>;
}

export const bffApi = (bff: BffProcess): BffApi => ({ url: bff.url, headers: bff.session.headers });

/** Waits until the BFF's heartbeat has every child up (node.info's children). */
export async function waitChildrenUp(bff: BffApi, ids: readonly string[], timeoutMs = 30_000): Promise<void> {
  let states = new Map<string, string>();
  await waitFor(
    'every BFF child up',
    async (signal) => {
      states = await childStates(bff, signal).catch(() => states);
      return ids.every((id) => states.get(id) === 'up');
    },
    { timeoutMs, pollMs: 100 },
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}: ${JSON.stringify(Object.fromEntries(states))}`);
  });
}

/** The BFF's children by state; the request gives up after `timeoutMs` unless `signal` ends it first. */
export async function childStates(
  bff: BffApi,
  signal?: AbortSignal,
  timeoutMs = 6500,
): Promise<Map<string, string>> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const response = await fetch(`${bff.url}/trpc/node.info`, {
    headers: bff.headers,
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  const body = (await response.json()) as {
    result?: { data: { children?: { path: string; state: string }[] } };
  };
  return new Map((body.result?.data.children ?? []).map((c) => [c.path, c.state]));
}

/** Runs `start` over `items`, at most `concurrency` at a time; on any failure stops what started. */
export async function startInBatches<I, T extends { stop(): Promise<unknown> }>(
  items: readonly I[],
  concurrency: number,
  start: (item: I) => Promise<T>,
): Promise<T[]> {
  const started: T[] = [];
  try {
    for (let i = 0; i < items.length; i += concurrency) {
      const batch = await Promise.allSettled(items.slice(i, i + concurrency).map(start));
      for (const result of batch) if (result.status === 'fulfilled') started.push(result.value);
      const failed = batch.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    }
    return started;
  } catch (error) {
    await Promise.all(started.map((s) => s.stop().catch(() => undefined)));
    throw error;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * bff ─ district-1 ─ probe-a, probe-b: the three tiers the alert and command benches time through.
 * Each tier is pushed onto `started` as soon as it is up, so the caller's cleanup stops it.
 */
export async function startThreeTiers(
  started: Array<{ stop(): Promise<unknown> }>,
  bffEnv: Record<string, string> = {},
): Promise<{ probes: LeafNode[]; district: LeafNode; bff: Awaited<ReturnType<typeof startBff>> }> {
  const probes: LeafNode[] = [];
  for (const id of ['probe-a', 'probe-b']) {
    const probe = await startLeafNode(id);
    started.push(probe);
    probes.push(probe);
  }
  const district = await startLeafNode('district-1', {
    CHILDREN: probes.map((p) => `${p.id}=${p.tier.url}`).join(','),
  });
  started.push(district);
  const bff = await startBff([{ id: 'district-1', url: district.tier.url }], bffEnv);
  started.push(bff);
  return { probes, district, bff };
}

/** A node's own API, asked directly (a bench's probes answer without a token). */
export const clientOf = (url: string): TRPCClient<NodeRouter> =>
  createTRPCClient<NodeRouter>({ links: [httpLink({ url: `${url}/trpc` })] });

/** Waits until the node runs the BFF's policy `version`. */
export async function waitForPolicy(node: TRPCClient<NodeRouter>, version: number): Promise<void> {
  await waitFor(
    `policy v${version} applied`,
    async () => {
      const info = await node.node.info.query(undefined, { signal: AbortSignal.timeout(2000) });
      const rejection = info.policy?.rejection;
      if (rejection?.author === 'bff' && rejection.version === version)
        throw new Error(`${info.id} rejected policy v${version}: ${rejection.reason}`);
      return (
        info.policy?.applied.some((applied) => applied.author === 'bff' && applied.version === version) ??
        false
      );
    },
    { timeoutMs: 60_000 },
  );
}
