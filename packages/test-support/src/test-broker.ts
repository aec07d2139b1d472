import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, REPO_ROOT } from './processes.ts';

const run = promisify(execFile);
const SCRIPTS = join(REPO_ROOT, 'deploy/mosquitto');

export interface TestBroker {
  url: string;
  /** Where it keeps its persistence, log and config. */
  dir: string;
  /** SIGTERM (it saves sessions and queued messages), then the same port and data again. */
  restart(): Promise<void>;
  /** Stops it and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

/**
 * A Mosquitto of its own, with the repo's node configuration (deploy/mosquitto/mosquitto.conf,
 * persistence on) on a spare port and a throwaway directory.
 */
export async function startTestBroker(): Promise<TestBroker> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'tierscope-mosquitto-'));
  const start = () => run(join(SCRIPTS, 'start-test-broker.sh'), [String(port), dir]);
  const halt = () => run(join(SCRIPTS, 'stop-test-broker.sh'), [dir]);
  try {
    await start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    dir,
    restart: async () => {
      await halt();
      await start();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try {
        await halt();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
