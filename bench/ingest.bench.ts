// The node's end-to-end ingest rate (published over MQTT → committed in its PostgreSQL), as ratios
// against the ceilings measured in the same run on the same payloads at QoS 1.
import postgres from 'postgres';
import { progress, round, type BenchOptions } from './lib/bench.ts';
import { startBenchBroker } from './lib/broker.ts';
import { createBenchDatabase } from './lib/database.ts';
import { drainStalls } from './lib/integrity.ts';
import { settledIngestBacklog, sleep, startNode } from './lib/node-process.ts';
import { SAMPLES_PER_MESSAGE } from './lib/payloads.ts';
import { startPublisher } from './lib/publisher.ts';
import { measureCeilings, secondsPerMeasurement, workload } from './ingest-ceilings.bench.ts';

/**
 * How long the node may commit nothing after the publisher is done before the rest counts as lost
 * (long enough to ride out Mosquitto's periodic save of its in-memory store).
 */
const DRAIN_IDLE_MS = 60_000;
const POLL_MS = 100;

export interface NodeRateContext {
  /** Mosquitto from deploy/mosquitto/mosquitto.conf, fresh for this run. */
  brokerUrl: string;
  /** A fresh, empty database for the node; dropped after the run. */
  databaseUrl: string;
  durationMs: number;
  /** Starts the bench workload's publisher (a child process); `go()` publishes for the duration. */
  startPublisher: typeof startPublisher;
}

export interface NodeRate {
  samplesPerSec: number;
  /** Samples published and acked by the broker that never reached the samples table. */
  lost: number;
  /** Samples stored beyond what was published (a duplicate would show here). */
  extra: number;
  /** 1 when the node's ingest backlog was not back at zero after the drain (decision 18). */
  drainStalls: number;
  published: number;
  stored: number;
  seconds: number;
}

/**
 * Starts the real node (apps/node/src/main.ts) against the broker and database, publishes the
 * workload as fast as the broker acks it, and measures published → committed: from the first
 * publish until the node has committed every acked message. Then checks the samples table holds
 * exactly published × metrics rows and stops the node with SIGTERM.
 */
export async function measureNodeRate(context: NodeRateContext): Promise<NodeRate> {
  const node = await startNode({ brokerUrl: context.brokerUrl, databaseUrl: context.databaseUrl });
  const sql = postgres(context.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const publisher = await context.startPublisher({
      url: context.brokerUrl,
      durationMs: context.durationMs,
      t0: Date.now(),
    });
    progress(`node: publishing for ${context.durationMs / 1000} s`);
    const base = (await node.info()).samplesTotal;
    const started = performance.now();
    const sent = await publisher.go();
    const expected = sent.acked * SAMPLES_PER_MESSAGE;
    let committed = 0;
    let lastChange = performance.now();
    let doneAt = lastChange;
    for (;;) {
      const now = (await node.info()).samplesTotal - base;
      if (now !== committed) {
        committed = now;
        lastChange = performance.now();
        doneAt = lastChange;
      }
      if (committed >= expected || performance.now() - lastChange > DRAIN_IDLE_MS) break;
      await sleep(POLL_MS);
    }
    const seconds = (doneAt - started) / 1000;
    const finalBacklog = await settledIngestBacklog(node);
    const [{ count }] = await sql<[{ count: string }]>`SELECT count(*) FROM samples`;
    const stored = Number(count);
    progress(`node: ${stored} of ${expected} samples committed in ${round(seconds, 1)} s`);
    return {
      samplesPerSec: round(seconds > 0 ? stored / seconds : 0),
      lost: Math.max(0, expected - stored),
      extra: Math.max(0, stored - expected),
      drainStalls: drainStalls([], finalBacklog),
      published: expected,
      stored,
      seconds: round(seconds, 2),
    };
  } finally {
    await sql.end();
    const code = await node.stop();
    if (code !== 0) progress(`node exited with ${code}`);
  }
}

export async function runBench(options: BenchOptions): Promise<Record<string, unknown>> {
  const broker = await startBenchBroker();
  try {
    // The node first: if it fails, fail before spending minutes on the ceilings.
    const database = await createBenchDatabase('node');
    let node: NodeRate;
    try {
      node = await measureNodeRate({
        brokerUrl: broker.url,
        databaseUrl: database.url,
        durationMs: secondsPerMeasurement(options) * 1000,
        startPublisher,
      });
    } finally {
      await database.drop();
    }
    const ceilings = await measureCeilings(broker.url, options);
    const ceiling = ceilings.transport.samplesPerSec;
    const copy = ceilings.database.copy1.samplesPerSec;
    const naive = ceilings.naiveGateway.samplesPerSec;
    const limit = Math.min(ceiling, copy);
    progress('done');
    return {
      node_per_s: node.samplesPerSec,
      ceiling_per_s: ceiling,
      copy_per_s: copy,
      naive_per_s: naive,
      ratio_vs_limit: round(node.samplesPerSec / limit, 3),
      ratio_vs_naive: round(node.samplesPerSec / naive, 1),
      lost: node.lost,
      duplicates: node.extra,
      drain_stalls: node.drainStalls,
      ...workload(),
      seconds_per_measurement: secondsPerMeasurement(options),
      node,
      transport: ceilings.transport,
      copy2_per_s: ceilings.database.copy2.samplesPerSec,
    };
  } finally {
    await broker.stop();
  }
}
