import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawServerDefault } from 'fastify';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import {
  consoleApiRouter,
  nodeRouter,
  type Actor,
  type AuditedChange,
  type ConsoleApiRouter,
  type ConsoleService,
  type NodeContext,
  type NodeRouter,
  type NodeService,
} from '@tierscope/shared';
import { DEADLINE_HEADER, readDeadlineHeader } from './deadline-budget.ts';
import type { UplinkServer } from './uplink-server.ts';

export interface NodeApiOptions {
  /**
   * The service for one call. `budgetMs` is what the caller has left (x-tierscope-deadline-ms),
   * when it said; a federating tier keeps its fan-outs within it.
   */
  serviceFor: (budgetMs: number | undefined, actor: Actor) => NodeService;
  /** Who is calling: a node reads its parent's headers, the BFF the console session. */
  resolveActor: (request: FastifyRequest) => Actor;
  /** The BFF's: where the caller's audited changes are logged (see `NodeContext.onAuditedChange`). */
  auditFor?: ((request: FastifyRequest) => (change: AuditedChange) => Promise<void>) | undefined;
  /** The BFF's: the console services for the caller; with it, `console.*` is served too. */
  consoleFor?: ((request: FastifyRequest) => ConsoleService) | undefined;
  /**
   * Whether the caller may use the API at all (a node: does it present a parent's token?). A call
   * it refuses gets 401 before any procedure runs. Default: everyone.
   */
  authorizeCall?: (headers: IncomingHttpHeaders) => boolean;
  /** When children attach by uplink: it takes WebSocket upgrades at /uplink and is closed with the server. */
  uplink?: UplinkServer | undefined;
}

/**
 * The context of one call of the node contract, from its headers: an HTTP request's or an uplink
 * call's alike, so both kinds of call run within the caller's time left (x-tierscope-deadline-ms)
 * as the actor the transport resolved.
 */
export function nodeCallContext(
  headers: IncomingHttpHeaders,
  actor: Actor,
  serviceFor: (budgetMs: number | undefined, actor: Actor) => NodeService,
): NodeContext {
  const budgetMs = readDeadlineHeader(headers[DEADLINE_HEADER]);
  return { node: serviceFor(budgetMs, actor), actor, ...(budgetMs !== undefined && { budgetMs }) };
}

/**
 * The router options every tier's fastify takes: a batched tRPC call names each of its procedures
 * in the path (`/trpc/alerts.list,devices.get,…`), and fastify's default limit on a path parameter
 * (100 characters) refused the device page's batch of seven queries.
 */
export const NODE_API_ROUTER_OPTIONS = { maxParamLength: 2048 } as const;

/**
 * Serves the one node contract the same way at every tier: tRPC at /trpc (HTTP, and subscriptions
 * as server-sent events) with the caller's deadline budget in context, plus the uplink WebSocket.
 */
export async function registerNodeApi<Logger extends FastifyBaseLogger>(
  app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>,
  options: NodeApiOptions,
): Promise<void> {
  const { uplink } = options;
  if (uplink) {
    uplink.attach(app.server);
    // Before the HTTP server stops listening: uplink sockets are upgraded, so close() never waits on them.
    app.addHook('preClose', () => uplink.close());
  }

  const { authorizeCall } = options;
  if (authorizeCall) {
    app.addHook('onRequest', async (request, reply) => {
      if (!request.url.startsWith('/trpc') || authorizeCall(request.headers)) return;
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        // The shape of a tRPC error (-32001 is UNAUTHORIZED), so tRPC clients read it as one.
        .send({
          error: {
            message: 'this node answers only its parent: a valid node token is required',
            code: -32001,
            data: { code: 'UNAUTHORIZED', httpStatus: 401 },
          },
        });
    });
  }

  const { consoleFor } = options;
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: consoleFor ? consoleApiRouter : nodeRouter,
      createContext: ({ req }) => ({
        ...nodeCallContext(req.headers, options.resolveActor(req), options.serviceFor),
        ...(options.auditFor && { onAuditedChange: options.auditFor(req) }),
        ...(consoleFor && { console: consoleFor(req) }),
      }),
      onError: ({ error, path }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') app.log.error({ err: error, path }, 'tRPC call failed');
      },
    },
  } satisfies FastifyTRPCPluginOptions<NodeRouter | ConsoleApiRouter>);
}
