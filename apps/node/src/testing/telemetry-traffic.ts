// Device traffic for tests over real node processes: a telemetry stream, a QoS 1 publisher that
// survives broker restarts, and what the node then stored.
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { openNodeStore } from '../store/client.ts';
import { waitFor, type NodeProcess } from './node-process.ts';

export interface Message {
  topic: string;
  payload: string;
}

/** `count` telemetry messages round-robin over `devices`, each with its own explicit timestamp. */
export function telemetryStream(prefix: string, devices: number, count: number, startTs: number): Message[] {
  return Array.from({ length: count }, (_, i) => ({
    topic: `devices/${prefix}-${i % devices}/telemetry`,
    payload: JSON.stringify({ ts: startTs + i, metrics: { temp: 20 + (i % 7), hum: 40 + (i % 11) } }),
  }));
}

/**
 * Publishes every message with QoS 1, at most `inflight` unacknowledged, and resolves when the
 * broker has acked them all. mqtt.js keeps unacked messages and resends them after a reconnect.
 */
export async function publishAll(
  url: string,
  messages: Message[],
  onAcked: (acked: number) => void = () => {},
): Promise<void> {
  const client = await mqtt.connectAsync(url, {
    clientId: `test-pub-${randomBytes(4).toString('hex')}`,
    protocolVersion: 4,
    reconnectPeriod: 200,
  });
  let acked = 0;
  const pending = new Set<Promise<void>>();
  try {
    for (const message of messages) {
      while (pending.size >= 100) await Promise.race(pending);
      const publish: Promise<void> = client
        .publishAsync(message.topic, message.payload, { qos: 1 })
        .then(() => {
          acked += 1;
          onAcked(acked);
          pending.delete(publish);
        });
      pending.add(publish);
    }
    await Promise.all(pending);
  } finally {
    await client.endAsync();
  }
}

export async function countSamples(
  databaseUrl: string,
  devicePrefix: string,
): Promise<{ rows: number; distinct: number }> {
  const store = await openNodeStore(databaseUrl);
  try {
    const [row] = await store.exec<{ rows: number; distinct: number }>(
      `SELECT count(*)::int AS rows, count(DISTINCT (device_id, metric, ts))::int AS distinct
         FROM samples WHERE device_id LIKE $1`,
      [`${devicePrefix}-%`],
    );
    return row ?? { rows: 0, distinct: 0 };
  } finally {
    await store.close();
  }
}

/** Waits until every device reports the timestamp of its last message as its latest value. */
export async function waitForLastMessages(node: NodeProcess, messages: Message[]): Promise<void> {
  const lastTs = new Map<string, number>();
  for (const m of messages) lastTs.set(m.topic.split('/')[1]!, (JSON.parse(m.payload) as { ts: number }).ts);
  await waitFor('every device to report its last message', async (signal) => {
    for (const [deviceId, ts] of lastTs) {
      const latest = await node.client.metrics.latest.query({ deviceId }, { signal }).catch(() => {
        // Its own timeout ends the probe (the wait asks again); a refused call only means "not yet".
        if (signal.aborted) throw signal.reason;
        return undefined;
      });
      if (latest?.values.temp?.ts !== ts) return false;
    }
    return true;
  });
}
