import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import type { NodeRouter } from '@tierscope/shared';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

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

export interface NodeProcess {
  httpUrl: string;
  client: TRPCClient<NodeRouter>;
  /** Everything the process printed, for failure messages. */
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Starts a real node process (`main.ts`) with the given environment and waits for /readyz. */
export async function startNodeProcess(
  env: Record<string, string>,
  readyTimeoutMs = 60_000,
): Promise<NodeProcess> {
  const httpPort = env.HTTP_PORT ?? String(await freePort());
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, HTTP_PORT: httpPort },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const httpUrl = `http://127.0.0.1:${httpPort}`;

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`node exited before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`node not ready within ${readyTimeoutMs} ms:\n${output}`);
    }
    try {
      if ((await fetch(`${httpUrl}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }

  return {
    httpUrl,
    client: createTRPCClient<NodeRouter>({ links: [httpLink({ url: `${httpUrl}/trpc` })] }),
    output: () => output,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Polls `probe` until it returns true or the timeout passes; then fails with `what`. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
