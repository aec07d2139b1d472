import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connectAsync } from 'mqtt';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '@tierscope/test-support/processes';
import { JsonlIngestStore } from '../testing/jsonl-ingest-store.ts';
import { TelemetryIngest } from './telemetry-ingest.ts';

const fixture = fileURLToPath(new URL('../testing/crash-node.fixture.ts', import.meta.url));
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ingest-crash-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('a node killed with SIGKILL', () => {
  it('loses no message the embedded broker acked: the journal replays what the store had not committed', async () => {
    const dataDir = join(dir, 'data');
    const storeFile = join(dir, 'store.jsonl');
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, dataDir, storeFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`fixture exited with ${code}`)));
      });
      const { port } = JSON.parse(firstLine) as { port: number };

      const publisher = await connectAsync(`mqtt://127.0.0.1:${port}`, {
        clientId: `crash-pub-${Date.now()}`,
        protocolVersion: 4,
        reconnectPeriod: 0,
      });
      publisher.on('error', () => {});
      const acked = new Set<number>();
      const base = Date.now() - 60_000;
      let next = 0;
      let killed = false;
      // Keep 200 messages in flight until the kill.
      const pump = async (): Promise<void> => {
        while (!killed) {
          const n = next++;
          try {
            await publisher.publishAsync(
              'devices/crash-dev/telemetry',
              JSON.stringify({ ts: base + n, metrics: { n } }),
              { qos: 1 },
            );
            acked.add(n);
          } catch {
            return;
          }
        }
      };
      const pumps = Array.from({ length: 200 }, () => pump());
      // The pumps stop on a publish error: then the count never grows, and the deadline says so.
      await waitFor(
        '5000 messages acked by the fixture’s broker',
        async () => {
          if (child.exitCode !== null || child.signalCode !== null)
            throw new Error(`the fixture exited (${child.exitCode ?? child.signalCode}) before the kill`);
          return acked.size >= 5000;
        },
        { timeoutMs: 60_000, pollMs: 10 },
      );
      child.kill('SIGKILL');
      killed = true;
      await exited;
      publisher.end(true);
      await Promise.allSettled(pumps);

      const store = JsonlIngestStore.load(storeFile);
      const committedBefore = store.samples.size;
      const ingest = await TelemetryIngest.start({
        config: {
          dataDir,
          rawRetentionDays: 30,
          unknownDevices: 'register',
          batchMaxSamples: 1000,
          batchMaxAgeMs: 10,
          queueLimit: 10_000,
        },
        store,
        logger: pino({ level: 'silent' }),
      });
      const { replayed } = ingest.stats();
      expect(await ingest.stop()).toBe(true);

      const stored = new Set([...store.samples.values()].map((s) => s.value));
      const missing = [...acked].filter((n) => !stored.has(n));
      expect(missing).toEqual([]);
      expect(replayed).toBeGreaterThan(0); // the kill did leave acked messages uncommitted
      console.info(
        `crash test: ${acked.size} acked, ${committedBefore} committed before the kill, ${replayed} replayed, ${stored.size} stored`,
      );
    } finally {
      child.kill('SIGKILL');
    }
  });
});
