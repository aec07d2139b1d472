import type { NodeService } from '@tierscope/shared';
import { createLocalNodeService, type LocalNodeServiceDeps } from '../services/local-node.service.ts';
import type { NodeStore } from '../store/client.ts';
import type { alertingDepsFor } from './alerting-deps.ts';
import { IDLE_PROCESS, idleCommandCenter, idleDeviceConfigs } from './idle-process.ts';

/**
 * A leaf's local node service over a test's store, its id its path, with an idle ingest and broker
 * (IDLE_PROCESS); `extra` sets what a test looks at (startedAt, a retention getter).
 */
export function idleNodeService(
  store: NodeStore,
  deps: ReturnType<typeof alertingDepsFor>,
  nodePath: string,
  extra: Partial<LocalNodeServiceDeps> = {},
): NodeService {
  return createLocalNodeService({
    store,
    ...deps,
    nodeId: nodePath,
    nodePath,
    version: '0.1.0',
    startedAt: 0,
    ...IDLE_PROCESS,
    commands: idleCommandCenter(store, nodePath),
    configs: idleDeviceConfigs(store, nodePath),
    ...extra,
  });
}
