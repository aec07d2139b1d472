import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onInterrupt } from './bench.ts';

export interface PublisherConfig {
  url: string;
  durationMs: number;
  /** Messages per second across all connections; 0 publishes as fast as acks come back. */
  ratePerSec: number;
  connections: number;
  /** Unacknowledged publishes allowed per publisher, so memory stays bounded. */
  window: number;
  /** Base timestamp and first message number of the workload (payloads.ts). */
  t0: number;
  firstMessage: number;
}

export type PublisherCommand = { type: 'configure'; config: PublisherConfig } | { type: 'go' };
export type PublisherReport =
  | { type: 'ready' }
  | { type: 'done'; published: number; acked: number; failed: number; elapsedMs: number }
  | { type: 'error'; message: string };
export type PublisherResult = Extract<PublisherReport, { type: 'done' }>;

export interface Publisher {
  /** Starts publishing; resolves once the duration is over and every publish was acked. */
  go(): Promise<PublisherResult>;
  kill(): void;
}

const CHILD = fileURLToPath(new URL('./publisher-child.ts', import.meta.url));

/** Forks the publisher and resolves once its connections are up. */
export async function startPublisher(
  config: Partial<PublisherConfig> & Pick<PublisherConfig, 'url' | 'durationMs' | 't0'>,
): Promise<Publisher> {
  const full: PublisherConfig = { ratePerSec: 0, connections: 1, window: 1000, firstMessage: 0, ...config };
  // The bench runs under tsx; the child needs the same loader to run TypeScript.
  const execArgv = process.execArgv.some((arg) => arg.includes('tsx'))
    ? process.execArgv
    : ['--import', 'tsx'];
  const child: ChildProcess = fork(CHILD, [], { execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const unregister = onInterrupt(async () => void child.kill('SIGKILL'));
  const next = (): Promise<PublisherReport> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`publisher exited with ${code}`));
      child.once('exit', onExit);
      child.once('message', (report: PublisherReport) => {
        child.off('exit', onExit);
        if (report.type === 'error') reject(new Error(`publisher: ${report.message}`));
        else resolve(report);
      });
    });

  const ready = next();
  child.send({ type: 'configure', config: full } satisfies PublisherCommand);
  await ready;
  return {
    async go() {
      const done = next();
      child.send({ type: 'go' } satisfies PublisherCommand);
      const report = await done;
      unregister();
      if (report.type !== 'done') throw new Error(`publisher sent ${report.type} instead of done`);
      return report;
    },
    kill() {
      unregister();
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
