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
  /** `mqtts://127.0.0.1:<port>`, when started with `tls`. */
  tlsUrl?: string;
  /** Where it keeps its persistence, log and config. */
  dir: string;
  /** SIGTERM (it saves sessions and queued messages), then the same port and data again. */
  restart(): Promise<void>;
  /** Stops it and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

/**
 * A Mosquitto of its own, with the repo's node configuration (deploy/mosquitto/mosquitto.conf,
 * persistence on) on a spare port and a throwaway directory; with `tls.certDir` (ca.crt,
 * broker.crt, broker.key) also MQTTS on another spare port (deploy/mosquitto/tls-listener.conf).
 */
export async function startTestBroker(options: { tls?: { certDir: string } } = {}): Promise<TestBroker> {
  const port = await freePort();
  const tlsPort = options.tls ? await freePort() : undefined;
  const dir = await mkdtemp(join(tmpdir(), 'tierscope-mosquitto-'));
  const tlsArgs = options.tls ? [String(tlsPort), options.tls.certDir] : [];
  const start = () => run(join(SCRIPTS, 'start-test-broker.sh'), [String(port), dir, ...tlsArgs]);
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
    ...(tlsPort !== undefined && { tlsUrl: `mqtts://127.0.0.1:${tlsPort}` }),
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
