import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

/** The repository root, where `node --import tsx <entry>` runs. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A port the OS says is free right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface TierProcess {
  name: string;
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Everything the process printed, for failure messages. */
  output(): string;
  /** Whether the process has not exited yet. */
  alive(): boolean;
  signal(signal: NodeJS.Signals): void;
  /** Sends `signal` and waits for the exit; SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

/**
 * Spawns `node --import tsx <entry>` (an app's main.ts, by path from the repository root or
 * absolute) with `env` on its own HTTP port (`HTTP_PORT`, a free one unless given).
 */
export async function spawnTier(
  name: string,
  entry: string,
  env: Record<string, string>,
): Promise<TierProcess> {
  const port = Number(env.HTTP_PORT ?? (await freePort()));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, HTTP_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    port,
    output: () => output,
    alive,
    signal: (signal) => {
      if (alive()) child.kill(signal);
    },
    stop: async (signal = 'SIGTERM', graceMs = 10_000) => {
      if (!alive()) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Waits for `<url>/readyz` to answer 200; fails with the process's output, at once when the
 * process exits first.
 */
export async function waitReady(tier: TierProcess, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `${tier.name} ready`,
    async () => {
      if (!tier.alive()) throw new Error(`${tier.name} exited before it was ready`);
      return (await fetch(`${tier.url}/readyz`).catch(() => null))?.ok === true;
    },
    timeoutMs,
  ).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${tier.output()}`);
  });
}

/** Polls `probe` until it returns true or the timeout passes; then fails with `what`. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 30_000,
  pollMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(pollMs);
  }
}
