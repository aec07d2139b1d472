import { pino } from 'pino';
import { asAlertNotifications, createOutboxStore } from '@tierscope/notify';
import type { LocalNodeServiceDeps } from '../services/local-node.types.ts';
import { AlertingRuntime, type AlertingRuntimeOptions } from '../alerting/alerting-runtime.ts';
import { PolicyAgent, type PolicyAgentOptions } from '../policy/policy-agent.ts';
import { AlertStore } from '../store/alert-store.pg.ts';
import type { NodeStore } from '../store/client.ts';

const NO_WEBHOOKS = { hosts: [], domains: [], networks: [] };

/**
 * The alert store, runtime and policy agent a local service needs, over a test's store (no timer
 * started), wired as main.ts wires them: the runtime runs the policy's rules and silences, and an
 * activated policy reloads its rules.
 */
export function alertingDepsFor(
  store: NodeStore,
  nodePath: string,
  options: Partial<AlertingRuntimeOptions> = {},
  policyOptions: Partial<PolicyAgentOptions> = {},
): Pick<LocalNodeServiceDeps, 'alertStore' | 'alerting' | 'policyAgent' | 'notifications'> & {
  alerting: AlertingRuntime;
  policyAgent: PolicyAgent;
} {
  const logger = pino({ level: 'silent' });
  const alertStore = new AlertStore(store, nodePath);
  const policyAgent: PolicyAgent = new PolicyAgent({
    store,
    nodeId: nodePath,
    webhookAllowlist: NO_WEBHOOKS,
    defaults: { webhooks: [], rawRetentionDays: 30, unknownDevices: 'register' },
    logger,
    activate: () => alerting.reloadRules(),
    ...policyOptions,
  });
  const alerting = new AlertingRuntime({
    store: alertStore,
    nodePath,
    logger,
    policy: () => policyAgent.effective(),
    ...options,
  });
  const outbox = createOutboxStore(store);
  const notifications = async (alertId: string) =>
    asAlertNotifications(await outbox.forAlert(alertId), nodePath);
  return { alertStore, alerting, policyAgent, notifications };
}
