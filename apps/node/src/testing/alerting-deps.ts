import { pino } from 'pino';
import { AlertingRuntime, type AlertingRuntimeOptions } from '../alerting/alerting-runtime.ts';
import { AlertStore } from '../store/alert-store.pg.ts';
import type { NodeStore } from '../store/client.ts';

/** The alert store and runtime a local service needs, over a test's store (no timer started). */
export function alertingDepsFor(
  store: NodeStore,
  nodePath: string,
  options: Partial<AlertingRuntimeOptions> = {},
): { alertStore: AlertStore; alerting: AlertingRuntime } {
  const alertStore = new AlertStore(store, nodePath);
  const alerting = new AlertingRuntime({
    store: alertStore,
    nodePath,
    logger: pino({ level: 'silent' }),
    ...options,
  });
  return { alertStore, alerting };
}
