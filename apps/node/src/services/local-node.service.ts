import type { NodeService } from '@tierscope/shared';
import {
  createLocalAlertsService,
  createLocalRulesService,
  createLocalSilencesService,
} from './local-alerting.service.ts';
import { createLocalDeadLettersService } from './local-dead-letters.service.ts';
import { createLocalDevicesService } from './local-devices.service.ts';
import { createLocalEventsService } from './local-events.service.ts';
import { createLocalMetricsService } from './local-metrics.service.ts';
import { createLocalNodeInfoService } from './local-node-info.service.ts';
import type { LocalNodeServiceDeps } from './local-node.types.ts';
import { listOwnPath } from './path-scoped.ts';

export type { BrokerHealth, LocalNodeServiceDeps } from './local-node.types.ts';

/** A leaf node's NodeService: every answer comes from this node's own store. */
export function createLocalNodeService(deps: LocalNodeServiceDeps): NodeService {
  const devices = createLocalDevicesService(deps);
  const events = createLocalEventsService(deps);
  const deadLetters = createLocalDeadLettersService(deps);
  return {
    node: createLocalNodeInfoService(deps),
    devices: { ...devices, list: listOwnPath(deps.nodePath, (input) => devices.list(input)) },
    metrics: createLocalMetricsService(deps),
    events: { search: listOwnPath(deps.nodePath, (input) => events.search(input)) },
    deadLetters: { list: listOwnPath(deps.nodePath, (input) => deadLetters.list(input)) },
    alerts: createLocalAlertsService(deps),
    silences: createLocalSilencesService(deps),
    rules: createLocalRulesService(deps),
  };
}
