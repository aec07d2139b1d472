// The federation bench's data: devices (registered by their first telemetry) and events, published
// over MQTT to one node's broker, then waited for in that node's database.
import { connectAsync } from 'mqtt';
import postgres from 'postgres';
import { waitFor } from '@tierscope/test-support/processes';
import { progress } from './bench.ts';

export interface FleetShape {
  devices: number;
  events: number;
}

/** Words of event messages; FULL_TEXT_QUERY matches one template in five. */
const TEMPLATES = [
  (n: number) => ({ type: 'door', severity: 'info', message: `door ${n % 7} opened at gate ${n % 13}` }),
  (n: number) => ({
    type: 'power',
    severity: 'warning',
    message: `supply voltage dropped to ${200 + (n % 30)} V`,
  }),
  (n: number) => ({
    type: 'overheat',
    severity: 'critical',
    message: `compressor overheat alarm, ${60 + (n % 20)} C`,
  }),
  (n: number) => ({ type: 'link', severity: 'info', message: `uplink restored after ${n % 90} s` }),
  (n: number) => ({
    type: 'battery',
    severity: 'warning',
    message: `battery low at ${5 + (n % 15)} percent`,
  }),
] as const;
export const FULL_TEXT_QUERY = 'compressor overheat';

const PUBLISH_WINDOW = 500;

export function deviceIdOf(index: number): string {
  return `sensor-${String(index).padStart(4, '0')}`;
}

/**
 * Publishes, at QoS 1, one telemetry message per device (which registers it) and then `events`
 * events spread over the devices and the last hour. `salt` shifts timestamps per node, so the
 * global merge interleaves nodes instead of concatenating them.
 */
export async function publishFleet(mqttUrl: string, shape: FleetShape, salt: number): Promise<void> {
  const client = await connectAsync(mqttUrl, {
    clientId: `bench-fleet-${process.pid}-${salt}`,
    clean: true,
    reconnectPeriod: 0,
  });
  try {
    const now = Date.now();
    const messages: { topic: string; payload: string }[] = [];
    for (let d = 0; d < shape.devices; d++) {
      messages.push({
        topic: `devices/${deviceIdOf(d)}/telemetry`,
        payload: JSON.stringify({
          ts: now - 1000,
          metrics: { temperature_c: 18 + (d % 10), humidity_pct: 40 + (d % 30) },
        }),
      });
    }
    for (let e = 0; e < shape.events; e++) {
      const template = TEMPLATES[e % TEMPLATES.length]!;
      messages.push({
        topic: `devices/${deviceIdOf((e * 7) % shape.devices)}/events`,
        payload: JSON.stringify({
          ts: now - 5000 - e * 3000 - salt * 17,
          ...template(e + salt),
          attrs: { seq: e },
        }),
      });
    }
    // Telemetry first, so every device is registered by telemetry before its events arrive.
    for (let i = 0; i < messages.length; i += PUBLISH_WINDOW) {
      await Promise.all(
        messages.slice(i, i + PUBLISH_WINDOW).map((m) => client.publishAsync(m.topic, m.payload, { qos: 1 })),
      );
    }
  } finally {
    await client.endAsync();
  }
}

/**
 * Waits until the node's database holds the devices and events published (the node commits in
 * batches after acking), then ANALYZEs it so the planner works from real statistics, as it would
 * once autovacuum has run.
 */
export async function waitStored(databaseUrl: string, shape: FleetShape, timeoutMs = 60_000): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    let stored = { devices: 0, events: 0 };
    await waitFor(
      'the fleet stored',
      async () => {
        const [row] = await sql<[{ devices: string; events: string }]>`
          SELECT (SELECT count(*) FROM devices) AS devices, (SELECT count(*) FROM events) AS events`;
        stored = { devices: Number(row.devices), events: Number(row.events) };
        return stored.devices >= shape.devices && stored.events >= shape.events;
      },
      { timeoutMs, pollMs: 100 },
    ).catch((error: unknown) => {
      throw new Error(
        `stored ${stored.devices}/${shape.devices} devices and ${stored.events}/${shape.events} events: ${String(error)}`,
      );
    });
    await sql`ANALYZE`;
  } finally {
    await sql.end();
  }
}

/** Publishes to a node and waits until it stored everything. */
export async function loadNode(
  node: { id: string; mqttUrl: string; database: { url: string } },
  shape: FleetShape,
  salt: number,
): Promise<void> {
  await publishFleet(node.mqttUrl, shape, salt);
  await waitStored(node.database.url, shape);
  progress(`${node.id}: ${shape.devices} devices, ${shape.events} events stored`);
}
