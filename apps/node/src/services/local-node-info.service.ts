import { sql } from 'drizzle-orm';
import type { NodeInfoService } from '@tierscope/shared';
import { devices } from '../store/schema.ts';
import type { LocalNodeServiceDeps } from './local-node.types.ts';

export function createLocalNodeInfoService(deps: LocalNodeServiceDeps): Omit<NodeInfoService, 'history'> {
  const { store } = deps;
  return {
    async info() {
      const reachable = await store.ping();
      // A node whose database is down still answers info: that is when an operator needs it most.
      const counts = reachable
        ? await store.db
            .select({
              total: sql<number>`count(*)`.mapWith(Number),
              online: sql<number>`count(*) filter (where ${devices.status} = 'online')`.mapWith(Number),
            })
            .from(devices)
            .then((rows) => rows[0] ?? { total: 0, online: 0 })
            .catch(() => ({ total: 0, online: 0 }))
        : { total: 0, online: 0 };
      return {
        id: deps.nodeId,
        name: deps.nodeName ?? deps.nodeId,
        path: deps.nodePath,
        version: deps.version,
        startedAt: deps.startedAt,
        devices: counts,
        ingest: deps.ingestStats(),
        broker: deps.brokerHealth(),
        database: { reachable, driver: store.driver },
        ...(deps.backlogs && { backlogs: deps.backlogs() }),
        policy: deps.policyAgent.state(),
      };
    },
  };
}
