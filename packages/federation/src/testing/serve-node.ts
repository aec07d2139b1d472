import Fastify from 'fastify';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import { nodeRouter, type Actor, type NodeRouter, type NodeService } from '@tierscope/shared';

export interface ServedNode {
  /** The tRPC endpoint: `http://127.0.0.1:<port>/trpc`. */
  url: string;
  port: number;
  /** Closes the server and every open connection, so a parent sees connection refused. */
  close(): Promise<void>;
}

const parentActor: Actor = { kind: 'node', name: 'parent', role: 'admin' };

/**
 * Serves `nodeRouter` over `service` on 127.0.0.1 (a free port unless `port` is given), for tests.
 * A federating tier passes a function: its service is built per call, for the children it has then.
 */
export async function serveNode(
  service: NodeService | (() => NodeService),
  options: { port?: number; actor?: Actor } = {},
): Promise<ServedNode> {
  const app = Fastify({ forceCloseConnections: true, maxParamLength: 5000 });
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: nodeRouter,
      createContext: () => ({
        node: typeof service === 'function' ? service() : service,
        actor: options.actor ?? parentActor,
      }),
    },
  } satisfies FastifyTRPCPluginOptions<NodeRouter>);
  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  return { url: `http://127.0.0.1:${address.port}/trpc`, port: address.port, close: () => app.close() };
}
