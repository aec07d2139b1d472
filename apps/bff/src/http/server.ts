import { existsSync } from 'node:fs';
import { TRPCError } from '@trpc/server';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  httpsServerFactory,
  registerHealthRoutes,
  NODE_API_ROUTER_OPTIONS,
  registerNodeApi,
  type ReadinessCheck,
  type Heartbeat,
  type NodeApiOptions,
  type TlsCertificates,
  type UplinkServer,
} from '@tierscope/federation';
import type { Actor, NodeService } from '@tierscope/shared';
import { auditEventOf } from '../console/audited-changes.ts';
import type { ConsoleAccess } from '../console/console-access.ts';
import { registerConsoleAuth, resolveSessionActor, type ConsoleCaller } from '../console/console-auth.ts';
import { auditOriginOf, consoleServiceFor } from '../console/console-service.ts';
import { registerReportExport } from '../console/report-export.ts';
import type { ReportMaker } from '../reports/report-maker.ts';
import { registerReportRoutes } from '../reports/report-routes.ts';
import type { ReportStore } from '../reports/report-store.ts';
import type { DashboardStore } from '../dashboards/dashboard-store.ts';
import { registerConsoleFiles } from './console-files.ts';

export interface BffServerDeps {
  /** The federated service for one call, within the caller's budget when it sent one. */
  serviceFor: (budgetMs: number | undefined, actor: Actor) => NodeService;
  /** Addresses and CIDRs of reverse proxies whose X-Forwarded-For is believed (TRUST_PROXY). */
  trustProxy: readonly string[];
  /** Users, sessions, login limits and the audit log: every /trpc call needs a console session. */
  access: ConsoleAccess;
  /** Liveness of the children, for /healthz. */
  heartbeat: Heartbeat;
  metrics: Registry;
  /** What /readyz checks: the BFF's own database (it answers and is migrated). */
  readiness: readonly ReadinessCheck[];
  logger: Logger;
  /** The built console; skipped when the directory does not exist. */
  webDist: string;
  /** When children attach by uplink: it takes WebSocket upgrades at /uplink and is closed with the server. */
  uplink?: UplinkServer;
  /**
   * With certificates to serve, the console, API and uplink are https and wss. A client
   * certificate (TLS_CLIENT_CERTS=require) is checked on the uplink only: browsers have none.
   */
  tls?: TlsCertificates;
  /** Report PDFs, schedules and their archive (docs/decisions/0031). */
  reports: { maker: ReportMaker; store: ReportStore; now: () => number };
  /** Dashboards operators build (docs/decisions/0035). */
  dashboards: DashboardStore;
}

/** 1 MiB: the largest tRPC request body any procedure needs (inputs are small and bounded). */
const BODY_LIMIT = 1024 * 1024;

/**
 * The BFF's HTTP surface: tRPC at /trpc (queries and mutations over HTTP, subscriptions as
 * server-sent events for `httpSubscriptionLink`), /livez, /readyz, /healthz, Prometheus /metrics,
 * the uplink WebSocket at /uplink when children attach by uplink, and the console's static files
 * with an SPA fallback to index.html.
 */
export async function createBffServer(deps: BffServerDeps) {
  // As fastify's logger type, which the console's plugins are written against.
  const logger: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    loggerInstance: logger,
    // Without trusted proxies request.ip is the socket's peer: a client cannot choose its address.
    ...(deps.trustProxy.length > 0 && { trustProxy: [...deps.trustProxy] }),
    bodyLimit: BODY_LIMIT,
    routerOptions: NODE_API_ROUTER_OPTIONS,
    logController: new LogController({ disableRequestLogging: () => true }),
    // Subscriptions hold their connection open: close them on shutdown instead of waiting.
    forceCloseConnections: true,
    ...(deps.tls?.serving && { serverFactory: httpsServerFactory(deps.tls, 'when-asked') }),
  });

  await registerConsoleAuth(app, deps.access);
  await registerNodeApi(app, consoleApiOf(deps));
  registerReportExport(
    app,
    (actor) => deps.serviceFor(undefined, actor),
    (request) => callerOf(request).actor,
  );
  registerReportRoutes(app, { ...deps.reports, callerOf });

  registerHealthRoutes(app, { readiness: deps.readiness, metrics: deps.metrics });
  app.get('/healthz', async () => {
    const children = deps.heartbeat.health().map((c) => ({
      id: c.id,
      state: c.state,
      ageMs: c.ageMs,
      ...(c.lastError ? { lastError: c.lastError } : {}),
    }));
    return { status: 'ok', childrenUp: children.filter((c) => c.state === 'up').length, children };
  });

  if (existsSync(deps.webDist)) await registerConsoleFiles(app, deps.webDist);
  else deps.logger.info({ webDist: deps.webDist }, 'no built console found; serving the API only');

  return app;
}

/**
 * The contract as the console calls it: as the session's user (role and scope), every change
 * audited, and `console.*` beside the node contract.
 */
function consoleApiOf(deps: BffServerDeps): NodeApiOptions {
  const { access } = deps;
  return {
    resolveActor: (request) => callerOf(request).actor,
    serviceFor: deps.serviceFor,
    // The owning node audits the same change again, with the acting user the BFF passed down.
    auditFor: (request) => async (change) => {
      await access.audit.append(auditOriginOf(callerOf(request)), auditEventOf(change));
    },
    consoleFor: (request) =>
      consoleServiceFor(
        access,
        callerOf(request),
        { store: deps.reports.store, now: deps.reports.now },
        deps.dashboards,
      ),
    uplink: deps.uplink,
  };
}

/** registerConsoleAuth answers a /trpc request without a live session before tRPC sees it. */
function callerOf(request: FastifyRequest): ConsoleCaller {
  const caller = resolveSessionActor(request);
  if (!caller) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'log in first' });
  return caller;
}
