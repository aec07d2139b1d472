import { fileURLToPath } from 'node:url';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import type { NodeRouter } from '@tierscope/shared';
import { spawnTier, waitFor as poll, waitReady } from '@tierscope/test-support/processes';

export { freePort } from '@tierscope/test-support/processes';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

export interface NodeProcess {
  httpUrl: string;
  client: TRPCClient<NodeRouter>;
  /** Everything the process printed, for failure messages. */
  output(): string;
  /** Sends `signal` and waits for the exit; SIGKILL after a minute. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Starts a real node process (`main.ts`) with the given environment and waits for /readyz. */
export async function startNodeProcess(
  env: Record<string, string>,
  readyTimeoutMs = 60_000,
): Promise<NodeProcess> {
  const tier = await spawnTier(env.NODE_ID ?? 'node', MAIN, env);
  try {
    await waitReady(tier, readyTimeoutMs);
  } catch (error) {
    await tier.stop('SIGKILL');
    throw error;
  }
  return {
    httpUrl: tier.url,
    client: createTRPCClient<NodeRouter>({ links: [httpLink({ url: `${tier.url}/trpc` })] }),
    output: () => tier.output(),
    kill: (signal) => tier.stop(signal, 60_000),
  };
}

/** Polls `probe` every 100 ms until it returns true or the timeout passes; then fails with `what`. */
export function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  return poll(what, probe, timeoutMs, 100);
}
