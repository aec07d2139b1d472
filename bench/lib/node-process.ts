// The real tier node as a child process (`node --import tsx apps/node/src/main.ts`), for the benches
// that measure it end to end against the bench's Mosquitto and PostgreSQL.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectAsync } from 'mqtt';
import { onInterrupt, progress } from './bench.ts';
import { freePort } from './broker.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(REPO, 'apps/node/src/main.ts');
/**
 * How a node is started: NODE_V8_FLAGS in apps/node/src/ingest/node-flags.ts (a bench imports
 * nothing from an app, so the one flag is repeated here); docs/decisions/0013-node-heap-limit.md.
 */
const NODE_V8_FLAGS = ['--max-old-space-size=1024'];

export interface NodeProcessOptions {
  brokerUrl: string;
  databaseUrl: string;
  /** Extra environment, e.g. BATCH_MAX_SAMPLES; BENCH_NODE_ENV (JSON) adds more from the shell. */
  env?: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof; BENCH_NODE_FLAGS (space separated) adds more from the shell. */
  nodeFlags?: string[];
}

export interface NodeIngestInfo {
  samplesTotal: number;
  messagesTotal: number;
  queueDepth: number;
  deadLettersTotal: number;
}

export interface NodeMemory {
  /** Resident set now, MiB. */
  rssMb: number;
  /** Peak resident set since start (VmHWM), MiB. */
  hwmMb: number;
}

export interface NodeProcess {
  nodeId: string;
  pid: number;
  httpUrl: string;
  info(): Promise<NodeIngestInfo>;
  memory(): Promise<NodeMemory | undefined>;
  /** SIGTERM (graceful: intake off, flush, close the session) and wait for the exit. */
  stop(): Promise<number | null>;
}

/** Starts a node with a fresh DATA_DIR and resolves once its /readyz answers 200. */
export async function startNode(options: NodeProcessOptions): Promise<NodeProcess> {
  const nodeId = `bench-${process.pid}-${Date.now().toString(36)}`;
  const httpPort = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'tierscope-bench-node-'));
  const extraEnv = process.env.BENCH_NODE_ENV
    ? (JSON.parse(process.env.BENCH_NODE_ENV) as Record<string, string>)
    : {};
  const extraFlags = process.env.BENCH_NODE_FLAGS
    ? process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean)
    : [];
  const child: ChildProcess = spawn(
    process.execPath,
    // Started as a node is meant to be started: with its own V8 flags.
    [...NODE_V8_FLAGS, '--import', 'tsx', ...(options.nodeFlags ?? []), ...extraFlags, MAIN],
    {
      cwd: REPO,
      env: {
        ...process.env,
        NODE_ID: nodeId,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(httpPort),
        DATABASE_URL: options.databaseUrl,
        MQTT_URL: options.brokerUrl,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        ...options.env,
        ...extraEnv,
      },
      // The node logs to stdout; the bench's stdout carries only its JSON line.
      stdio: ['ignore', 2, 2],
    },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('node did not start');
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? -1 : null);
      resolve(exitCode);
    }),
  );
  const cleanup = async (): Promise<void> => {
    if (exitCode === undefined) child.kill('SIGKILL');
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  };
  const unregister = onInterrupt(cleanup);
  const httpUrl = `http://127.0.0.1:${httpPort}`;

  try {
    const deadline = performance.now() + 60_000;
    for (;;) {
      if (exitCode !== undefined) throw new Error(`node exited with ${exitCode} before it was ready`);
      if (performance.now() > deadline) throw new Error('node not ready within 60 s');
      const ready = await fetch(`${httpUrl}/readyz`).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) break;
      await sleep(100);
    }
  } catch (error) {
    unregister();
    await cleanup();
    throw error;
  }
  progress(`node ${nodeId} ready (pid ${pid}, ${httpUrl})`);

  return {
    nodeId,
    pid,
    httpUrl,
    async info() {
      const response = await fetch(`${httpUrl}/trpc/node.info`);
      if (!response.ok) throw new Error(`node.info: HTTP ${response.status}`);
      const body = (await response.json()) as { result: { data: { ingest: NodeIngestInfo } } };
      return body.result.data.ingest;
    },
    async memory() {
      try {
        const status = await readFile(`/proc/${pid}/status`, 'utf8');
        const kib = (key: string): number =>
          Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
        return { rssMb: kib('VmRSS') / 1024, hwmMb: kib('VmHWM') / 1024 };
      } catch {
        return undefined;
      }
    },
    async stop() {
      if (exitCode === undefined) child.kill('SIGTERM');
      const timer = setTimeout(() => {
        progress('node did not stop within 30 s of SIGTERM: killing it');
        child.kill('SIGKILL');
      }, 30_000);
      const code = await exited;
      clearTimeout(timer);
      unregister();
      await rm(dataDir, { recursive: true, force: true });
      // The node's persistent session would keep queueing everything published afterwards.
      await discardSession(options.brokerUrl, `tierscope-node-${nodeId}`);
      return code;
    },
  };
}

/** Ends a persistent MQTT 5 session at the broker: clean start, session expiry 0. */
export async function discardSession(brokerUrl: string, clientId: string): Promise<void> {
  const client = await connectAsync(brokerUrl, {
    clientId,
    clean: true,
    protocolVersion: 5,
    properties: { sessionExpiryInterval: 0 },
    reconnectPeriod: 0,
  });
  await client.endAsync();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
