// The ingest path's ceilings, measured on this machine in the same run as what they bound.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { connectAsync } from 'mqtt';
import postgres from 'postgres';
import { progress, round } from './bench.ts';
import { postgresNoDelay } from '@tierscope/store';
import { createBenchDatabase, createSamplesTable } from './database.ts';
import { BENCH_METRICS, copyLines, SAMPLES_PER_MESSAGE } from './payloads.ts';
import { startPublisher } from './publisher.ts';

const TELEMETRY_FILTER = 'devices/+/telemetry';
/** How long a receiver may sit idle after the publisher is done before the rest counts as lost. */
const DRAIN_IDLE_MS = 3000;

export interface TransportCeiling {
  samplesPerSec: number;
  messagesPerSec: number;
  /** Messages the broker acknowledged to the publisher. */
  published: number;
  received: number;
  /** Acknowledged by the broker but never delivered: the loss to state next to the rate. */
  lost: number;
  seconds: number;
}

/** (a) A bare mqtt.js subscriber that only counts; the publisher runs in a child process. */
export async function measureTransport(brokerUrl: string, durationMs: number): Promise<TransportCeiling> {
  const subscriber = await connectAsync(brokerUrl, {
    clientId: `bench-sub-${process.pid}`,
    clean: true,
    reconnectPeriod: 0,
  });
  let received = 0;
  let first = 0;
  let last = 0;
  subscriber.on('message', () => {
    last = performance.now();
    if (received++ === 0) first = last;
  });
  try {
    await subscriber.subscribeAsync(TELEMETRY_FILTER, { qos: 1 });
    const publisher = await startPublisher({ url: brokerUrl, durationMs, t0: Date.now() });
    progress(`transport: publishing for ${durationMs / 1000} s`);
    const sent = await publisher.go();
    await drained(
      () => received >= sent.acked,
      () => received,
    );
    const seconds = (last - first) / 1000;
    const messagesPerSec = seconds > 0 ? received / seconds : 0;
    progress(`transport: ${received} of ${sent.acked} messages in ${round(seconds, 1)} s`);
    return {
      samplesPerSec: round(messagesPerSec * SAMPLES_PER_MESSAGE),
      messagesPerSec: round(messagesPerSec),
      published: sent.acked,
      received,
      lost: Math.max(0, sent.acked - received),
      seconds: round(seconds, 2),
    };
  } finally {
    await subscriber.endAsync(true);
  }
}

export interface DatabaseCeiling {
  samplesPerSec: number;
  rows: number;
  rowsPerCopy: number;
  copiesInFlight: number;
  seconds: number;
}

/**
 * (b) COPY of the same rows into a fresh `samples` table with its primary key, over postgres.js
 * with TCP_NODELAY. Formatting the rows is inside the timing (with the time format cached), as it
 * is in a gateway.
 */
export async function measureCopy(
  durationMs: number,
  copiesInFlight: number,
  rowsPerCopy = 5000,
): Promise<DatabaseCeiling> {
  const database = await createBenchDatabase(`copy${copiesInFlight}`);
  const sql = postgresNoDelay(database.url, { max: copiesInFlight });
  try {
    await createSamplesTable(sql);
    const messagesPerCopy = rowsPerCopy / SAMPLES_PER_MESSAGE;
    const t0 = Date.now();
    let nextMessage = 0;
    let rows = 0;
    progress(
      `database: COPY ${rowsPerCopy} rows at a time, ${copiesInFlight} in flight, for ${durationMs / 1000} s`,
    );
    const started = performance.now();
    const deadline = started + durationMs;
    const worker = async (): Promise<void> => {
      while (performance.now() < deadline) {
        const text = copyLines(nextMessage, messagesPerCopy, t0);
        nextMessage += messagesPerCopy;
        const writable = await sql`COPY samples (device_id, metric, ts, value) FROM STDIN`.writable();
        await pipeline(Readable.from([text]), writable);
        rows += rowsPerCopy;
      }
    };
    await Promise.all(Array.from({ length: copiesInFlight }, worker));
    const seconds = (performance.now() - started) / 1000;
    const [{ count }] = await sql<[{ count: string }]>`SELECT count(*) FROM samples`;
    if (Number(count) !== rows) throw new Error(`COPY wrote ${count} rows, expected ${rows}`);
    return {
      samplesPerSec: round(rows / seconds),
      rows,
      rowsPerCopy,
      copiesInFlight,
      seconds: round(seconds, 2),
    };
  } finally {
    await sql.end();
    await database.drop();
  }
}

export interface NaiveGatewayRate {
  samplesPerSec: number;
  messages: number;
  seconds: number;
  /** The publisher's rate cap: above what the gateway can take, so it never waits for work. */
  offeredMessagesPerSec: number;
}

/**
 * (c) A classic gateway: for each message, one awaited INSERT of its samples, and the QoS 1 ack
 * only after it commits (mqtt.js hands over the next message when `handleMessage` calls back).
 */
export async function measureNaiveGateway(
  brokerUrl: string,
  durationMs: number,
  offeredMessagesPerSec = 5000,
): Promise<NaiveGatewayRate> {
  const database = await createBenchDatabase('naive');
  const sql = postgres(database.url, { max: 1, onnotice: () => {} });
  const subscriber = await connectAsync(brokerUrl, {
    clientId: `bench-gw-${process.pid}`,
    clean: true,
    reconnectPeriod: 0,
  });
  let messages = 0;
  let first = 0;
  let counting = true;
  let lastCounted = 0;
  try {
    await createSamplesTable(sql);
    subscriber.handleMessage = (packet, callback) => {
      const deviceId = packet.topic.split('/')[1]!;
      const { ts, metrics } = JSON.parse(packet.payload.toString()) as {
        ts: number;
        metrics: Record<string, number>;
      };
      const at = new Date(ts);
      const rows = BENCH_METRICS.map((metric) => ({
        device_id: deviceId,
        metric,
        ts: at,
        value: metrics[metric]!,
      }));
      sql`INSERT INTO samples ${sql(rows)}`.then(
        () => {
          if (counting) {
            lastCounted = performance.now();
            if (messages++ === 0) first = lastCounted;
          }
          callback();
        },
        (error: Error) => callback(error),
      );
    };
    await subscriber.subscribeAsync(TELEMETRY_FILTER, { qos: 1 });
    const publisher = await startPublisher({
      url: brokerUrl,
      durationMs,
      t0: Date.now(),
      ratePerSec: offeredMessagesPerSec,
    });
    progress(`naive gateway: offering ${offeredMessagesPerSec} msgs/s for ${durationMs / 1000} s`);
    await publisher.go();
    counting = false;
    const seconds = (lastCounted - first) / 1000;
    progress(`naive gateway: ${messages} messages in ${round(seconds, 1)} s`);
    return {
      samplesPerSec: round(seconds > 0 ? (messages * SAMPLES_PER_MESSAGE) / seconds : 0),
      messages,
      seconds: round(seconds, 2),
      offeredMessagesPerSec,
    };
  } finally {
    // Don't drain the backlog the broker holds for it: the measurement is over.
    await subscriber.endAsync(true);
    await sql.end({ timeout: 1 });
    await database.drop();
  }
}

async function drained(done: () => boolean, count: () => number): Promise<void> {
  let seen = count();
  let idleSince = performance.now();
  while (!done()) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (count() !== seen) {
      seen = count();
      idleSince = performance.now();
    } else if (performance.now() - idleSince > DRAIN_IDLE_MS) {
      return;
    }
  }
}
