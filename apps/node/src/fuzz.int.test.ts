import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeRouter } from '@tierscope/shared';
import { freePort, startNodeProcess, waitFor, type NodeProcess } from './testing/node-process.ts';

/*
 * Malformed input everywhere at once, against a real node process: thousands of bad tRPC calls over
 * every procedure and bad MQTT messages over every device topic, while a valid stream runs beside
 * them. Nothing may answer 5xx, crash, or leave a rejection unhandled, and the valid stream must be
 * stored complete.
 */
const CALLS = 2000;
const BAD_MESSAGES = 1200;
const VALID_DEVICES = 5;
const VALID_PER_DEVICE = 200;
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);

/** Every procedure of the contract, flattened to its path (`alerts.ack`) and kind. */
const procedures = Object.entries(
  nodeRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>,
).map(([path, procedure]) => ({ path, type: procedure._def.type }));
const topicSuffixes = ['telemetry', 'events', 'status', 'commands/ack', 'commands', 'telemetry/extra', ''];

const dir = mkdtempSync(join(tmpdir(), 'tierscope-fuzz-'));
let node: NodeProcess;
let mqttPort: number;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  mqttPort = await freePort();
  node = await startNodeProcess({
    NODE_ID: 'probe-fuzz',
    DATABASE_URL: 'pglite:memory',
    DATA_DIR: join(dir, 'data'),
    MQTT_PORT: String(mqttPort),
  });
}, 120_000);

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await node?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

/** A malformed call: random JSON, or text that is not JSON at all, as a procedure's input. */
const badInput = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.anything({ maxDepth: 3, withNullPrototype: false }).map((v) => safeJson(v)),
  fc.string({ maxLength: 300 }).map((text) => ({ raw: text })),
  fc.record({
    limit: fc.oneof(fc.integer(), fc.double(), fc.string()),
    cursor: fc.string({ maxLength: 50 }),
  }),
);

function safeJson(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value) ?? 'null') as unknown;
  } catch {
    return null;
  }
}

async function call(path: string, type: string, input: unknown): Promise<number> {
  const raw = typeof input === 'object' && input !== null && 'raw' in input ? String(input.raw) : undefined;
  const body = raw ?? JSON.stringify(input);
  const url = `${node.httpUrl}/trpc/${path}`;
  if (type === 'mutation') {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    await response.arrayBuffer();
    return response.status;
  }
  const controller = new AbortController();
  const response = await fetch(`${url}?input=${encodeURIComponent(body)}`, {
    signal: controller.signal,
    headers: type === 'subscription' ? { accept: 'text/event-stream' } : {},
  });
  // A subscription that accepted its input stays open: its status is all this test needs.
  if (type === 'subscription') controller.abort();
  else await response.arrayBuffer();
  return response.status;
}

describe('a node under malformed input', () => {
  it(`answers ${CALLS} malformed calls over every procedure and ${BAD_MESSAGES} bad messages without a 5xx or a crash, and stores a valid stream beside them complete`, async () => {
    const statuses = new Map<number, number>();
    const serverErrors: string[] = [];

    // The valid stream, in parallel with everything else.
    const validClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: 'fuzz-valid' });
    const base = Date.now() - 60_000;
    const validStream = (async () => {
      for (let i = 0; i < VALID_PER_DEVICE; i++)
        for (let d = 0; d < VALID_DEVICES; d++)
          await validClient.publishAsync(
            `devices/valid-${d}/telemetry`,
            JSON.stringify({ ts: base + i * 10, metrics: { fuzz_ok: i } }),
            { qos: 1 },
          );
    })();

    const badClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: 'fuzz-bad' });
    const badMessages = fc.sample(
      fc.record({
        device: fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{1,20}$/), fc.string({ maxLength: 140 })),
        suffix: fc.constantFrom(...topicSuffixes),
        payload: fc.oneof(
          fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
          fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v))),
          fc
            .record({ metrics: fc.dictionary(fc.string(), fc.jsonValue()) })
            .map((v) => Buffer.from(JSON.stringify(v))),
          fc.constant(Buffer.alloc(300 * 1024, 0x7b)),
        ),
      }),
      { numRuns: BAD_MESSAGES, seed: SEED },
    );
    const badStream = (async () => {
      for (const message of badMessages) {
        // Topics MQTT itself forbids (wildcards, empty levels) are refused by the client library.
        const topic = `devices/${message.device}/${message.suffix}`
          .replace(/[#+]/g, '_')
          .split(String.fromCharCode(0))
          .join('_');
        await badClient.publishAsync(topic, message.payload, { qos: 1 }).catch(() => undefined);
      }
    })();

    const calls = fc.sample(fc.tuple(fc.constantFrom(...procedures), badInput), {
      numRuns: CALLS,
      seed: SEED,
    });
    let next = 0;
    const worker = async () => {
      while (next < calls.length) {
        const [procedure, input] = calls[next++]!;
        const status = await call(procedure.path, procedure.type, input);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status >= 500)
          serverErrors.push(`${procedure.path} ${JSON.stringify(input).slice(0, 200)} → ${status}`);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker(), validStream, badStream]);
    await validClient.endAsync();
    await badClient.endAsync();

    console.info(
      `fuzz: ${procedures.length} procedures, statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    expect(serverErrors).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(CALLS);
    // Every procedure was hit, and almost everything was refused as a bad request.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(CALLS / 2);

    for (let d = 0; d < VALID_DEVICES; d++) {
      await waitFor(`all of valid-${d}'s samples stored`, async () => {
        const series = await node.client.metrics.series.query({
          nodePath: 'probe-fuzz',
          deviceId: `valid-${d}`,
          metric: 'fuzz_ok',
          from: base - 1000,
          to: base + VALID_PER_DEVICE * 10 + 1000,
          maxPoints: 1000,
        });
        return series.points.length === VALID_PER_DEVICE;
      });
    }
    const info = await node.client.node.info.query();
    expect(info.ingest.deadLettersTotal).toBeGreaterThan(0);
    expect(node.output()).not.toMatch(/unhandled|uncaught/i);
    expect(unhandled).toEqual([]);
  }, 300_000);
});
