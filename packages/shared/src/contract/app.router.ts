import { consoleRouter } from './console.router.ts';
import { alertsRouter, silencesRouter } from './alerts.router.ts';
import { deadLettersRouter } from './dead-letters.router.ts';
import { devicesRouter } from './devices.router.ts';
import { eventsRouter } from './events.router.ts';
import { metricsRouter } from './metrics.router.ts';
import { nodeInfoRouter } from './node.router.ts';
import { policyRouter } from './policy.router.ts';
import { reportsRouter } from './reports.router.ts';
import { rulesRouter } from './rules.router.ts';
import { mergeRouters, router } from './trpc.ts';

/** The one node contract: every tier serves exactly this router. */
export const nodeRouter = router({
  node: nodeInfoRouter,
  devices: devicesRouter,
  metrics: metricsRouter,
  events: eventsRouter,
  deadLetters: deadLettersRouter,
  alerts: alertsRouter,
  silences: silencesRouter,
  rules: rulesRouter,
  policy: policyRouter,
  reports: reportsRouter,
});
export type NodeRouter = typeof nodeRouter;

/** What the BFF serves the console: the node contract plus `console.*` (users, audit, sessions). */
export const consoleApiRouter = mergeRouters(nodeRouter, router({ console: consoleRouter }));
export type ConsoleApiRouter = typeof consoleApiRouter;
