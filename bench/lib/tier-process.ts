// Tiers as real processes for the federation bench: leaf nodes (`apps/node/src/main.ts`, each with
// a fresh PostgreSQL database and its embedded broker) and the BFF (`apps/bff/src/main.ts`).
// Every process is registered for cleanup on interrupt and is SIGCONT'ed before it is stopped, so a
// frozen node never outlives the bench.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onInterrupt, progress } from './bench.ts';
import { freePort } from './broker.ts';
import { createBenchDatabase, type BenchDatabase } from './database.ts';
import { loginToConsole, TEST_BFF_ENV, type ConsoleSession } from '@tierscope/test-support/console-session';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const NODE_MAIN = join(REPO, 'apps/node/src/main.ts');
const BFF_MAIN = join(REPO, 'apps/bff/src/main.ts');
/** What is kept of a process's output, for the error when it fails. */
const OUTPUT_TAIL_CHARS = 8000;

export interface TierProcess {
  name: string;
  pid: number;
  /** `http://127.0.0.1:<port>` */
  httpUrl: string;
  /** The last few KiB the process printed. */
  output(): string;
  alive(): boolean;
  /** SIGSTOP: the process keeps its sockets (connections are accepted by the kernel) but answers nothing. */
  freeze(): void;
  /** SIGCONT after `freeze`. */
  thaw(): void;
  /** Thaws, SIGTERM, SIGKILL after `graceMs`; resolves on exit. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

interface SpawnOptions {
  name: string;
  entry: string;
  env: Record<string, string>;
  /** Extra node flags, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` (profiles are written on a graceful stop). */
  flags?: readonly string[];
}

function flagsFrom(variable: string): string[] {
  return (process.env[variable] ?? '').split(' ').filter(Boolean);
}

async function spawnTier({ name, entry, env, flags = [] }: SpawnOptions): Promise<TierProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', ...flags, entry], {
    cwd: REPO,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port) },
    // Piped, never inherited: the bench's stdout carries exactly one JSON line.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} did not start`);
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  let frozen = false;

  const kill = (signal: NodeJS.Signals): void => {
    if (alive()) child.kill(signal);
  };
  const stop = async (graceMs = 5000): Promise<void> => {
    unregister();
    if (frozen) {
      kill('SIGCONT');
      frozen = false;
    }
    kill('SIGTERM');
    const timer = setTimeout(() => kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  // On interrupt there is no time for a graceful stop.
  const unregister = onInterrupt(async () => {
    kill('SIGCONT');
    kill('SIGKILL');
    await exited;
  });

  return {
    name,
    pid,
    httpUrl: `http://127.0.0.1:${port}`,
    output: () => output,
    alive,
    freeze() {
      frozen = true;
      kill('SIGSTOP');
    },
    thaw() {
      frozen = false;
      kill('SIGCONT');
    },
    stop,
  };
}

/** Polls `<url>/readyz` until it answers 200; fails with the process's output. */
export async function waitReady(tier: TierProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (!tier.alive()) throw new Error(`${tier.name} exited before it was ready:\n${tier.output()}`);
    if (performance.now() > deadline)
      throw new Error(`${tier.name} not ready within ${timeoutMs} ms:\n${tier.output()}`);
    const ready = await fetch(`${tier.httpUrl}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    await sleep(100);
  }
}

export interface LeafNode {
  id: string;
  tier: TierProcess;
  /** The node's embedded aedes broker. */
  mqttUrl: string;
  database: BenchDatabase;
  /** Stops the process, then drops its database and data directory. */
  stop(): Promise<void>;
}

/** A leaf node (BENCH_FED_NODE_FLAGS adds node flags) on a fresh PostgreSQL database, with its embedded broker on a spare port; waits for /readyz. */
export async function startLeafNode(id: string, env: Record<string, string> = {}): Promise<LeafNode> {
  const database = await createBenchDatabase(`fed_${id.replace(/-/g, '_')}`);
  const dataDir = await mkdtemp(join(tmpdir(), `tierscope-bench-${id}-`));
  const removeDataDir = onInterrupt(() => rm(dataDir, { recursive: true, force: true }));
  const cleanup = async (tier?: TierProcess): Promise<void> => {
    await tier?.stop();
    await database.drop();
    removeDataDir();
    await rm(dataDir, { recursive: true, force: true });
  };
  let tier: TierProcess | undefined;
  try {
    const mqttPort = await freePort();
    tier = await spawnTier({
      name: id,
      entry: NODE_MAIN,
      flags: flagsFrom('BENCH_FED_NODE_FLAGS'),
      env: {
        NODE_ID: id,
        DATABASE_URL: database.url,
        DATA_DIR: dataDir,
        MQTT_URL: '',
        MQTT_PORT: String(mqttPort),
        ...env,
      },
    });
    await waitReady(tier);
    progress(`node ${id} ready (pid ${tier.pid}, ${tier.httpUrl}, mqtt :${mqttPort})`);
    const started = tier;
    return {
      id,
      tier: started,
      mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
      database,
      stop: () => cleanup(started),
    };
  } catch (error) {
    await cleanup(tier);
    throw error;
  }
}

/** A BFF and a console session on it: every /trpc call to a BFF needs one. */
export interface BffProcess extends TierProcess {
  session: ConsoleSession;
}

/**
 * The BFF federating `children` directly (BENCH_BFF_FLAGS adds node flags), its users in memory;
 * waits for /readyz and logs in as the first admin.
 */
export async function startBff(
  children: readonly { id: string; httpUrl: string }[],
  env: Record<string, string> = {},
): Promise<BffProcess> {
  const tier = await spawnTier({
    name: 'bff',
    entry: BFF_MAIN,
    flags: flagsFrom('BENCH_BFF_FLAGS'),
    env: {
      NODE_ID: 'bff',
      CHILDREN: children.map((c) => `${c.id}=${c.httpUrl}`).join(','),
      // No console to serve: the bench measures the API.
      WEB_DIST: join(tmpdir(), 'tierscope-bench-no-console'),
      ...TEST_BFF_ENV,
      ...env,
    },
  });
  let session: ConsoleSession;
  try {
    await waitReady(tier);
    session = await loginToConsole(tier.httpUrl);
  } catch (error) {
    await tier.stop();
    throw error;
  }
  progress(`bff ready (pid ${tier.pid}, ${tier.httpUrl})`);
  return { ...tier, session };
}

/** Runs `start` over `items`, at most `concurrency` at a time; on any failure stops what started. */
export async function startInBatches<I, T extends { stop(): Promise<void> }>(
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
