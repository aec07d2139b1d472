// The real tier node as a child process, through the launcher (@tierscope/test-support/processes),
// for the benches that measure it end to end against the bench's Mosquitto and PostgreSQL. What is
// the bench's own: its ingest figures and memory, and discarding its broker session after it stops.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import type { Backlog } from '@tierscope/shared';
import { spawnNode, waitReady } from '@tierscope/test-support/processes';
import { onInterrupt, progress } from './bench.ts';

/** How long one node.info request may take: a bench polls it, and a hung one must not hang the bench. */
const INFO_TIMEOUT_MS = 10_000;
/** How long the node may take to flush and stop after SIGTERM before it is killed. */
const STOP_GRACE_MS = 30_000;

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
  /** The node's ingest journal backlog as it last read it (decision 18). */
  backlog: Backlog | null;
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
  /** SIGTERM (graceful: intake off, flush, close the session) and wait for the exit; its exit code. */
  stop(): Promise<number | null>;
}

/** Starts a node with a fresh DATA_DIR and resolves once its /readyz answers 200. */
export async function startNode(options: NodeProcessOptions): Promise<NodeProcess> {
  const nodeId = `bench-${process.pid}-${Date.now().toString(36)}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'tierscope-bench-node-'));
  const extraEnv = process.env.BENCH_NODE_ENV
    ? (JSON.parse(process.env.BENCH_NODE_ENV) as Record<string, string>)
    : {};
  const extraFlags = process.env.BENCH_NODE_FLAGS
    ? process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean)
    : [];
  const node = await spawnNode(
    nodeId,
    {
      HTTP_HOST: '127.0.0.1',
      DATABASE_URL: options.databaseUrl,
      MQTT_URL: options.brokerUrl,
      DATA_DIR: dataDir,
      ...options.env,
      ...extraEnv,
    },
    {
      flags: [...(options.nodeFlags ?? []), ...extraFlags],
      // The node's log goes to stderr; the bench's stdout carries only its JSON line.
      onOutput: (text) => process.stderr.write(text),
    },
  );
  const cleanup = async (): Promise<void> => {
    await node.stop('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  };
  const unregister = onInterrupt(cleanup);
  try {
    // PGlite starts slowly on a loaded machine (its WebAssembly, and initdb for a new database).
    await waitReady(node, 180_000);
  } catch (error) {
    unregister();
    await cleanup();
    throw error;
  }
  progress(`node ${nodeId} ready (pid ${node.pid}, ${node.url})`);

  return {
    nodeId,
    pid: node.pid,
    httpUrl: node.url,
    async info() {
      const response = await fetch(`${node.url}/trpc/node.info`, {
        signal: AbortSignal.timeout(INFO_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`node.info: HTTP ${response.status}`);
      const body = (await response.json()) as {
        result: { data: { ingest: Omit<NodeIngestInfo, 'backlog'>; backlogs?: { ingest: Backlog } } };
      };
      return { ...body.result.data.ingest, backlog: body.result.data.backlogs?.ingest ?? null };
    },
    async memory() {
      try {
        const status = await readFile(`/proc/${node.pid}/status`, 'utf8');
        const kib = (key: string): number =>
          Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
        return { rssMb: kib('VmRSS') / 1024, hwmMb: kib('VmHWM') / 1024 };
      } catch {
        return undefined;
      }
    },
    async stop() {
      const { code, signal } = await node.stop('SIGTERM', STOP_GRACE_MS);
      if (signal === 'SIGKILL')
        progress(`node did not stop within ${STOP_GRACE_MS / 1000} s of SIGTERM: killed`);
      unregister();
      await rm(dataDir, { recursive: true, force: true });
      // The node's persistent session would keep queueing everything published afterwards.
      await discardSession(options.brokerUrl, `tierscope-node-${nodeId}`);
      return code ?? (signal ? -1 : null);
    },
  };
}

/**
 * The node's ingest backlog once it reads zero, or its last reading after `timeoutMs` (the node
 * reads its backlogs once a second, so a drained node says so within about a second).
 */
export async function settledIngestBacklog(node: NodeProcess, timeoutMs = 10_000): Promise<Backlog | null> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { backlog } = await node.info();
    if ((backlog !== null && backlog.depth === 0) || performance.now() > deadline) return backlog;
    await sleep(250);
  }
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
