// The benches' Mosquitto: the tests' broker (deploy/mosquitto/mosquitto.conf on a spare port),
// stopped on interrupt too.
import { startTestBroker } from '@tierscope/test-support/test-broker';
import { onInterrupt, progress } from './bench.ts';

export { freePort } from '@tierscope/test-support/processes';

export interface BenchBroker {
  url: string;
  stop(): Promise<void>;
}

export async function startBenchBroker(): Promise<BenchBroker> {
  const broker = await startTestBroker();
  progress(`mosquitto on ${broker.url} (${broker.dir})`);
  const stop = async (): Promise<void> => {
    unregister();
    await broker.stop().catch((error: unknown) => progress(`stopping mosquitto: ${String(error)}`));
  };
  const unregister = onInterrupt(stop);
  return { url: broker.url, stop };
}
