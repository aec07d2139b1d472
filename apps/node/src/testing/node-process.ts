import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import type { NodeRouter } from '@tierscope/shared';
import { spawnNode, waitFor as poll, waitReady, type WaitOptions } from '@tierscope/test-support/processes';

export { freePort } from '@tierscope/test-support/processes';

export interface NodeProcess {
  httpUrl: string;
  client: TRPCClient<NodeRouter>;
  /** The last few KiB the process printed, for failure messages. */
  output(): string;
  /** Sends `signal` and waits for the exit; SIGKILL after a minute. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/**
 * Starts a real node process (`main.ts`) with the given environment and waits for /readyz. Its
 * embedded broker takes anonymous devices (DEVICE_AUTH=off), as these tests publish without logins,
 * unless `env` says otherwise.
 */
export async function startNodeProcess(
  env: Record<string, string>,
  readyTimeoutMs = 60_000,
): Promise<NodeProcess> {
  const tier = await spawnNode(env.NODE_ID ?? 'node', { DEVICE_AUTH: 'off', ...env });
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
    kill: async (signal) => {
      await tier.stop(signal, 60_000);
    },
  };
}

/**
 * Polls `probe` every 100 ms until it returns true or the timeout passes; then fails with `what`.
 * Pass the probe's signal to its queries: a hung query is abandoned, not waited for.
 */
export function waitFor(
  what: string,
  probe: (signal: AbortSignal) => Promise<boolean>,
  timeoutMs = 60_000,
  options: Omit<WaitOptions, 'timeoutMs'> = {},
): Promise<void> {
  return poll(what, probe, { pollMs: 100, ...options, timeoutMs });
}
