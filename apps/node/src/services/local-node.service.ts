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
import { createLocalPolicyService } from './local-policy.service.ts';
import { fleetMetricsLocally } from '../fleet-metrics/local-fleet-metrics.ts';
import { nodeHistoryLocally } from '../history/node-history.ts';
import { reportFiguresLocally } from '../reports/local-report-figures.ts';

export type { BrokerHealth, LocalNodeServiceDeps } from './local-node.types.ts';

/** A leaf node's NodeService: every answer comes from this node's own store. */
export function createLocalNodeService(deps: LocalNodeServiceDeps): NodeService {
  return {
    node: {
      ...createLocalNodeInfoService(deps),
      history: (input) => nodeHistoryLocally({ store: deps.store, nodePath: deps.nodePath }, input),
    },
    devices: createLocalDevicesService(deps),
    metrics: {
      ...createLocalMetricsService(deps),
      fleet: (input) => fleetMetricsLocally({ store: deps.store, nodePath: deps.nodePath }, input),
    },
    events: createLocalEventsService(deps),
    deadLetters: createLocalDeadLettersService(deps),
    alerts: createLocalAlertsService(deps),
    silences: createLocalSilencesService(deps),
    rules: createLocalRulesService(deps),
    policy: createLocalPolicyService(deps),
    reports: {
      figures: (input) =>
        reportFiguresLocally(
          { store: deps.store, nodePath: deps.nodePath, ...(deps.now && { now: deps.now }) },
          input,
        ),
    },
  };
}
