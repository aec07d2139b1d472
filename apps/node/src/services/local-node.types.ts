import type { AlertNotification, IngestStats, NodeBacklogs } from '@tierscope/shared';
import type { DeviceAccess } from '../access/device-access.ts';
import type { AlertingRuntime } from '../alerting/alerting-runtime.ts';
import type { CommandCenter } from '../commands/command-center.ts';
import type { DeviceConfigs } from '../device-config/device-configs.ts';
import type { PolicyAgent } from '../policy/policy-agent.ts';
import type { AlertStore } from '../store/alert-store.pg.ts';
import type { NodeStore } from '../store/client.ts';

export interface BrokerHealth {
  connected: boolean;
  embedded: boolean;
  url: string;
}

/** What the local services need from the composition root; config arrives here, never from env. */
export interface LocalNodeServiceDeps {
  store: NodeStore;
  alertStore: AlertStore;
  alerting: AlertingRuntime;
  /** The notifications this node sent about an alert (its outbox), by the alert's id. */
  notifications: (alertId: string) => Promise<AlertNotification[]>;
  /** Takes the parent's policy (policy.apply) and reports the node's (node.info). */
  policyAgent: PolicyAgent;
  nodeId: string;
  /** Defaults to the node id. */
  nodeName?: string;
  /** This node's path: every item it returns carries it, and a ref naming another path is not found here. */
  nodePath: string;
  version: string;
  /** epoch ms */
  startedAt: number;
  /**
   * Raw samples older than this are gone, so series never read raw data past it; read at each call,
   * as policy may change it. Default 30.
   */
  rawRetentionDays?: () => number;
  ingestStats: () => IngestStats;
  /** The latest reading of the node's backlogs (decision 18); absent where nothing reads them. */
  backlogs?: () => NodeBacklogs;
  brokerHealth: () => BrokerHealth;
  /** Called after devices.upsert: the ingest's known-device cache and the alert engine's labels update at once. */
  onDeviceRegistered?: (device: { id: string; labels: Record<string, string> }) => void;
  /** The broker's and the ingest's copy of credentials and quarantines, updated after each change is stored. */
  deviceAccess?: DeviceAccess;
  /** Sends the node's commands to its devices and keeps their history. */
  commands: CommandCenter;
  /** The devices' desired configurations and their reports. */
  configs: DeviceConfigs;
  /** The clock quarantines are dated and compared with; defaults to Date.now. */
  now?: () => number;
}
