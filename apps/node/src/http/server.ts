import Fastify, { LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  httpsServerFactory,
  registerHealthRoutes,
  NODE_API_ROUTER_OPTIONS,
  registerNodeApi,
  type NodeApiOptions,
  type ReadinessCheck,
  type TlsCertificates,
  type UplinkServer,
} from '@tierscope/federation';

export interface NodeServerDeps {
  /**
   * The service for one call. `budgetMs` is what the caller has left (x-tierscope-deadline-ms),
   * when it said; a federating node keeps its fan-outs within it.
   */
  serviceFor: NodeApiOptions['serviceFor'];
  readiness: readonly ReadinessCheck[];
  metrics: Registry;
  logger: Logger;
  /** Who calls this node's API: the user a trusted parent acts for, or the parent itself. */
  resolveActor: NodeApiOptions['resolveActor'];
  /** Refuses calls that do not present a parent's token (when the node is configured with any). */
  authorizeCall?: NodeApiOptions['authorizeCall'];
  /** When children attach by uplink: it takes WebSocket upgrades at /uplink and is closed with the server. */
  uplink?: UplinkServer;
  /**
   * With certificates to serve, the API and uplink are https and wss; with TLS_CLIENT_CERTS=require
   * every connection must present a client certificate (only parents and children call a node).
   */
  tls?: TlsCertificates;
}

/** 1 MiB: the largest tRPC request body any procedure needs (inputs are small and bounded). */
const BODY_LIMIT = 1024 * 1024;

/**
 * The node's HTTP surface: tRPC at /trpc, /livez, /readyz, Prometheus /metrics, and the uplink
 * WebSocket at /uplink when children attach by uplink.
 */
export async function createNodeServer(deps: NodeServerDeps) {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: BODY_LIMIT,
    routerOptions: NODE_API_ROUTER_OPTIONS,
    // Probes, scrapes and parent heartbeats would drown the log; tRPC errors are logged in onError.
    logController: new LogController({ disableRequestLogging: () => true }),
    // A parent's live alert stream holds its connection open: close it on shutdown instead of
    // waiting for it (the parent resumes from its last event id at the next start).
    forceCloseConnections: true,
    ...(deps.tls?.serving && { serverFactory: httpsServerFactory(deps.tls, 'every-connection') }),
  });

  await registerNodeApi(app, deps);

  registerHealthRoutes(app, { readiness: deps.readiness, metrics: deps.metrics });

  return app;
}
