/**
 * A root tier (the BFF's federation) alone in a process, for tests that measure what subscribers
 * cost it: its memory and CPU are its own, not the test's. Started with `fork` (under tsx) and one
 * JSON argument; it tells its parent `{ port }` once listening and answers `'usage'` with its
 * RSS and CPU time.
 */
import Fastify from 'fastify';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import { z } from 'zod';
import { nodeRouter, NodeId, type Actor, type NodeRouter } from '@tierscope/shared';
import { createHttpChildLink } from '../links/child-link.ts';
import { createUplinkServer } from '../links/uplink-server.ts';
import { createFederationRuntime } from '../federation-runtime.ts';

export const StreamRootConfig = z.object({
  /** Children the root dials: id and tRPC endpoint. */
  children: z.array(z.object({ id: NodeId, url: z.url() })),
  /** Children that dial the root's uplink: id → token. */
  uplinkTokens: z.record(NodeId, z.string().min(1)),
});
export type StreamRootConfig = z.infer<typeof StreamRootConfig>;

/** What the process answers to `'usage'`. */
export interface StreamRootUsage {
  rssBytes: number;
  heapUsedBytes: number;
  cpuUserMicros: number;
  cpuSystemMicros: number;
}

const consoleUser: Actor = { kind: 'user', name: 'console', role: 'viewer' };

async function main(): Promise<void> {
  const config = StreamRootConfig.parse(JSON.parse(process.argv[2] ?? '{}'));
  const runtime = createFederationRuntime({
    id: 'bff',
    isRoot: true,
    identity: { name: 'bff', version: 'test', startedAt: Date.now() },
    children: config.children.map(({ id, url }) => createHttpChildLink({ id, url })),
  });
  const uplink = createUplinkServer({
    verifyToken: async (childId, token) => config.uplinkTokens[childId] === token,
    // The test's own process (hundreds of console clients, and the uplink child) may stall for
    // seconds on a loaded machine: a missed pong there is no lost child.
    keepAlive: { pongTimeoutMs: 30_000 },
  });
  uplink.on('attach', ({ childId }) => runtime.addChild(uplink.link(childId)));
  runtime.start();
  const app = Fastify({ forceCloseConnections: true, maxParamLength: 20_000 });
  uplink.attach(app.server);
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: nodeRouter,
      createContext: () => ({ node: runtime.service(undefined, consoleUser), actor: consoleUser }),
    },
  } satisfies FastifyTRPCPluginOptions<NodeRouter>);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  process.on('message', (message) => {
    if (message !== 'usage') return;
    const cpu = process.cpuUsage();
    const usage: StreamRootUsage = {
      rssBytes: process.memoryUsage().rss,
      heapUsedBytes: process.memoryUsage().heapUsed,
      cpuUserMicros: cpu.user,
      cpuSystemMicros: cpu.system,
    };
    process.send?.(usage);
  });
  process.on('disconnect', () => {
    runtime.stop();
    void uplink.close();
    void app.close().then(() => process.exit(0));
  });
  process.send?.({ port: address.port });
}

await main();
