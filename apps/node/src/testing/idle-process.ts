import { pino } from 'pino';
import type { CommandDeclarations } from '@tierscope/shared';
import { CommandCenter } from '../commands/command-center.ts';
import { CommandCheck } from '../commands/command-check.ts';
import { DeviceConfigs } from '../device-config/device-configs.ts';
import type { LocalNodeServiceDeps } from '../services/local-node.types.ts';
import type { NodeStore } from '../store/client.ts';

/**
 * What a local node service reads from the running process, for store tests that run none: an
 * ingest that has taken nothing and a connected embedded broker.
 */
export const IDLE_PROCESS: Pick<LocalNodeServiceDeps, 'ingestStats' | 'brokerHealth'> = {
  ingestStats: () => ({
    messagesTotal: 0,
    samplesTotal: 0,
    samplesPerSec: 0,
    queueDepth: 0,
    deadLettersTotal: 0,
  }),
  brokerHealth: () => ({ connected: true, embedded: true, url: 'mqtt://127.0.0.1:1884' }),
};

/**
 * The commands of such a process: declared by `declarations` (none by default), published to a
 * broker no device listens on.
 */
export function idleCommandCenter(
  store: NodeStore,
  nodePath: string,
  declarations: CommandDeclarations = {},
): CommandCenter {
  return new CommandCenter({
    store,
    nodePath,
    check: new CommandCheck(() => declarations),
    publisher: () => ({ publish: async () => undefined }),
    logger: pino({ level: 'silent' }),
  });
}

/** The desired configurations of such a process, published to a broker no device listens on. */
export function idleDeviceConfigs(store: NodeStore, nodePath: string, graceMs = 60_000): DeviceConfigs {
  return new DeviceConfigs({
    store,
    nodePath,
    graceMs,
    publisher: () => ({ publish: async () => undefined }),
    logger: pino({ level: 'silent' }),
  });
}
