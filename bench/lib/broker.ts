import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { onInterrupt, progress } from './bench.ts';

const run = promisify(execFile);
const SCRIPTS = fileURLToPath(new URL('../../deploy/mosquitto/', import.meta.url));

export interface BenchBroker {
  url: string;
  stop(): Promise<void>;
}

/** A port nothing listens on right now (the OS picks; small race, fine for a bench). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Mosquitto with deploy/mosquitto/mosquitto.conf on a spare port and a throwaway data dir. */
export async function startBenchBroker(): Promise<BenchBroker> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'tierscope-bench-mosquitto-'));
  await run(join(SCRIPTS, 'start-test-broker.sh'), [String(port), dir]);
  progress(`mosquitto on 127.0.0.1:${port} (${dir})`);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    unregister();
    await run(join(SCRIPTS, 'stop-test-broker.sh'), [dir]).catch((error: unknown) =>
      progress(`stopping mosquitto: ${String(error)}`),
    );
    await rm(dir, { recursive: true, force: true });
  };
  const unregister = onInterrupt(stop);
  return { url: `mqtt://127.0.0.1:${port}`, stop };
}
