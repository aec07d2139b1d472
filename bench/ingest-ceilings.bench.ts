// What the node's ingest is measured against, runnable without a node: the transport ceiling,
// the database ceiling and a naive gateway, on the same payloads, all in samples/s.
import { progress, round, type BenchOptions } from './lib/bench.ts';
import { startBenchBroker } from './lib/broker.ts';
import {
  measureCopy,
  measureNaiveGateway,
  measureTransport,
  type DatabaseCeiling,
  type NaiveGatewayRate,
  type TransportCeiling,
} from './lib/ceilings.ts';
import { BENCH_DEVICES, meanPayloadBytes, SAMPLES_PER_MESSAGE } from './lib/payloads.ts';

export interface IngestCeilings {
  transport: TransportCeiling;
  database: { copy1: DatabaseCeiling; copy2: DatabaseCeiling };
  naiveGateway: NaiveGatewayRate;
}

export function workload(): Record<string, unknown> {
  return {
    unit: 'samples/s',
    devices: BENCH_DEVICES,
    samplesPerMessage: SAMPLES_PER_MESSAGE,
    payloadBytes: round(meanPayloadBytes(), 1),
    qos: 1,
  };
}

export function secondsPerMeasurement(options: BenchOptions): number {
  return options.quick ? 3 : 20;
}

export async function measureCeilings(brokerUrl: string, options: BenchOptions): Promise<IngestCeilings> {
  const ms = secondsPerMeasurement(options) * 1000;
  const transport = await measureTransport(brokerUrl, ms);
  const copy1 = await measureCopy(ms, 1);
  const copy2 = await measureCopy(ms, 2);
  const naiveGateway = await measureNaiveGateway(brokerUrl, ms);
  return { transport, database: { copy1, copy2 }, naiveGateway };
}

export async function runBench(options: BenchOptions): Promise<Record<string, unknown>> {
  const broker = await startBenchBroker();
  try {
    const ceilings = await measureCeilings(broker.url, options);
    progress('done');
    return {
      ...workload(),
      ...ceilings,
      ratios: {
        databaseOverTransport: round(
          ceilings.database.copy1.samplesPerSec / ceilings.transport.samplesPerSec,
          2,
        ),
        naiveGatewayOverTransport: round(
          ceilings.naiveGateway.samplesPerSec / ceilings.transport.samplesPerSec,
          3,
        ),
      },
    };
  } finally {
    await broker.stop();
  }
}
