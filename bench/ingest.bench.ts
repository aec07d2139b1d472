// The node's ingest rate, as ratios against the ceilings measured in the same run.
import { round, type BenchOptions } from './lib/bench.ts';
import { startBenchBroker } from './lib/broker.ts';
import { createBenchDatabase } from './lib/database.ts';
import { startPublisher } from './lib/publisher.ts';
import { measureCeilings, secondsPerMeasurement, workload } from './ingest-ceilings.bench.ts';

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
  seconds: number;
}

/**
 * Starts a node against the broker and database, publishes the workload, and measures the rate
 * at which samples land in its samples table. Wired once the node runs.
 */
export async function measureNodeRate(_context: NodeRateContext): Promise<NodeRate> {
  throw new Error('measureNodeRate: not wired (the node does not run yet)');
}

export async function runBench(options: BenchOptions): Promise<Record<string, unknown>> {
  const broker = await startBenchBroker();
  try {
    // The node first: until it is wired, fail before spending minutes on the ceilings.
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
    return {
      ...workload(),
      node,
      ...ceilings,
      ratios: {
        nodeOverTransport: round(node.samplesPerSec / ceilings.transport.samplesPerSec, 3),
        nodeOverDatabase: round(node.samplesPerSec / ceilings.database.copy1.samplesPerSec, 3),
        nodeOverNaiveGateway: round(node.samplesPerSec / ceilings.naiveGateway.samplesPerSec, 2),
      },
    };
  } finally {
    await broker.stop();
  }
}
