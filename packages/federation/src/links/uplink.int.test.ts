import Fastify, { type FastifyInstance } from 'fastify';
import { WebSocket, WebSocketServer } from 'ws';
import { TRPCClientError } from '@trpc/client';
import { statusMatching } from '../testing/uplink-status.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nodeRouter, type Actor, type NodeInfo, type NodeService } from '@tierscope/shared';
import { ACTING_USER_HEADER, readActingUserHeader, runAsActor } from './acting-user.ts';
import { DEADLINE_HEADER, readDeadlineHeader, runWithDeadline } from './deadline-budget.ts';
import { fanOut } from '../query/fan-out.ts';
import { createFederatedNodeService } from '../query/federated-node-service.ts';
import type { Heartbeat } from './heartbeat.ts';
import {
  createInMemoryNodeService,
  generateDevices,
  generateEvents,
  type LeafControls,
} from '../testing/in-memory-node-service.ts';
import { startUplink, type Uplink, type UplinkOptions } from './uplink-client.ts';
import { UPLINK_NODE_HEADER } from './uplink-protocol.ts';
import { createUplinkServer, type UplinkServer } from './uplink-server.ts';

/*
 * A parent (fastify, with the uplink server attached) and children that only dial out: no child
 * here ever listens on a port, so everything the parent learns of them comes down their uplink.
 */

const TOKENS: Record<string, string> = { 'probe-u': 'token-u', 'probe-v': 'token-v' };
const parentActor: Actor = { kind: 'node', name: 'parent', role: 'admin' };

interface Parent {
  app: FastifyInstance;
  uplink: UplinkServer;
  port: number;
  url: string;
}

async function startParent(port = 0): Promise<Parent> {
  const uplink = createUplinkServer({
    verifyToken: async (childId, token) => TOKENS[childId] === token,
    keepAlive: { intervalMs: 1000, pongTimeoutMs: 500 },
  });
  const app = Fastify({ forceCloseConnections: true });
  uplink.attach(app.server);
  app.addHook('preClose', () => uplink.close());
  await app.listen({ host: '127.0.0.1', port });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return { app, uplink, port: address.port, url: `ws://127.0.0.1:${address.port}/uplink` };
}

/** The in-memory leaf, counting `node.info` calls so a test can tell when a stream stopped. */
function countingLeaf(id: string) {
  const { service, controls } = createInMemoryNodeService(id, {
    devices: generateDevices(id, 30, 7),
    events: generateEvents(id, 40, 7),
  });
  const counts = { info: 0 };
  const counted: NodeService = {
    ...service,
    node: {
      ...service.node,
      info: () => {
        counts.info += 1;
        return service.node.info();
      },
    },
  };
  return { service: counted, controls, counts };
}

const uplinks: Uplink[] = [];

function dial(
  parentUrl: string,
  childId: string,
  service: NodeService,
  overrides: Partial<UplinkOptions> = {},
): Uplink {
  const uplink = startUplink({
    parentUrl,
    childId,
    token: TOKENS[childId] ?? 'none',
    router: nodeRouter,
    contextOf: () => ({ node: service, actor: parentActor }),
    backoff: { initialMs: 50, maxMs: 200 },
    keepAlive: { pingMs: 1000, pongWaitMs: 500 },
    ...overrides,
  });
  uplinks.push(uplink);
  return uplink;
}

function attached(parent: Parent, childId: string): Promise<void> {
  if (parent.uplink.isAttached(childId)) return Promise.resolve();
  return new Promise((resolve) => {
    const off = parent.uplink.on('attach', (event) => {
      if (event.childId !== childId) return;
      off();
      resolve();
    });
  });
}

function detached(parent: Parent, childId: string): Promise<void> {
  if (!parent.uplink.isAttached(childId)) return Promise.resolve();
  return new Promise((resolve) => {
    const off = parent.uplink.on('detach', (event) => {
      if (event.childId !== childId) return;
      off();
      resolve();
    });
  });
}

const neverDown: Heartbeat = {
  start: () => undefined,
  stop: () => undefined,
  beat: () => Promise.resolve(),
  isDown: () => false,
  health: () => [],
};

afterEach(async () => {
  await Promise.all(uplinks.splice(0).map((u) => u.stop()));
});

describe('a child attached only by its uplink', () => {
  let parent: Parent;
  let leaf: ReturnType<typeof countingLeaf>;

  beforeAll(async () => {
    parent = await startParent();
  });
  afterAll(async () => {
    await parent.app.close();
  });

  async function attach(): Promise<LeafControls> {
    leaf = countingLeaf('probe-u');
    dial(parent.url, 'probe-u', leaf.service);
    await attached(parent, 'probe-u');
    return leaf.controls;
  }

  it('answers queries and mutations sent down its socket, errors included', async () => {
    await attach();
    const { client } = parent.uplink.link('probe-u');

    const info = await client.node.info.query();
    expect(info).toMatchObject({ id: 'probe-u', devices: { total: 30 } });
    const page = await client.devices.list.query({ limit: 5 });
    expect(page.items).toHaveLength(5);
    expect(page.nextCursor).not.toBeNull();

    const device = page.items[0]!;
    const renamed = await client.devices.upsert.mutate({
      deviceId: device.id,
      name: 'renamed over the uplink',
    });
    expect(renamed).toMatchObject({ id: device.id, name: 'renamed over the uplink' });

    const missing = await client.devices.get.query({ deviceId: 'no-such-device' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(TRPCClientError);
    expect((missing as TRPCClientError<typeof nodeRouter>).data?.code).toBe('NOT_FOUND');
  });

  it('runs each call as the user the parent acts for, within the time the parent has left', async () => {
    leaf = countingLeaf('probe-u');
    const seen: Array<{ actor: Actor; budgetMs: number | undefined }> = [];
    dial(parent.url, 'probe-u', leaf.service, {
      contextOf: (headers) => {
        const actor = readActingUserHeader(headers[ACTING_USER_HEADER]) ?? parentActor;
        const budgetMs = readDeadlineHeader(headers[DEADLINE_HEADER]);
        seen.push({ actor, budgetMs });
        return { node: leaf.service, actor, ...(budgetMs !== undefined && { budgetMs }) };
      },
    });
    await attached(parent, 'probe-u');
    const { client } = parent.uplink.link('probe-u');
    const viewer: Actor = { kind: 'user', name: 'vic', role: 'viewer', scope: ['probe-u'] };
    const operator: Actor = { kind: 'user', name: 'olga', role: 'operator' };

    // Two calls in flight at once, as different users: each is served as its own.
    const [ack, info] = await Promise.all([
      runAsActor(viewer, () =>
        client.alerts.unack.mutate({ nodePath: 'probe-u', id: 'a-1' }).catch((e: unknown) => e),
      ),
      runAsActor(operator, () => runWithDeadline(Date.now() + 1200, () => client.node.info.query())),
    ]);
    // The child's own role check refuses the viewer's mutation.
    expect((ack as TRPCClientError<typeof nodeRouter>).data?.code).toBe('FORBIDDEN');
    expect(info.id).toBe('probe-u');
    expect(seen.find((s) => s.actor.name === 'vic')).toMatchObject({ actor: viewer, budgetMs: undefined });
    const olga = seen.find((s) => s.actor.name === 'olga');
    expect(olga?.budgetMs).toBeGreaterThan(0);
    expect(olga?.budgetMs).toBeLessThanOrEqual(1200);

    // A call made outside any user's scope is the parent's own.
    await client.node.info.query();
    expect(seen.at(-1)?.actor).toEqual(parentActor);
  });

  it('streams a subscription and stops it on the child when the parent unsubscribes', async () => {
    await attach();
    const { client } = parent.uplink.link('probe-u');
    const seen: NodeInfo[] = [];
    let started = false;
    const twoSeen = new Promise<void>((resolve, reject) => {
      const subscription = client.node.watch.subscribe(
        { intervalMs: 500 },
        {
          onStarted: () => (started = true),
          onData: (info) => {
            seen.push(info);
            if (seen.length === 2) {
              subscription.unsubscribe();
              resolve();
            }
          },
          onError: reject,
        },
      );
    });
    await twoSeen;
    expect(started).toBe(true);
    expect(seen.map((i) => i.id)).toEqual(['probe-u', 'probe-u']);

    // The child's generator polls info() every 500 ms while it runs; after the stop it must not.
    await new Promise((r) => setTimeout(r, 100));
    const callsAfterStop = leaf.counts.info;
    await new Promise((r) => setTimeout(r, 1200));
    expect(leaf.counts.info).toBe(callsAfterStop);
  });

  it('ends a subscription with an unreachable error when the socket goes mid-stream', async () => {
    await attach();
    const uplink = uplinks[uplinks.length - 1]!;
    const { client } = parent.uplink.link('probe-u');
    const ended = new Promise<unknown>((resolve) => {
      client.node.watch.subscribe(
        { intervalMs: 500 },
        { onData: () => void uplink.stop(), onError: resolve, onComplete: () => resolve('completed') },
      );
    });
    const error = await ended;
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as Error).cause).toMatchObject({ name: 'UplinkUnreachableError', code: 'ECONNRESET' });
  });

  it('stops waiting for a stalled call as soon as its signal aborts', async () => {
    const controls = await attach();
    controls.stalled = true;
    try {
      const started = Date.now();
      const call = parent.uplink
        .link('probe-u')
        .client.devices.list.query({ limit: 5 }, { signal: AbortSignal.timeout(150) });
      await expect(call).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(600);
    } finally {
      controls.release();
    }
  });

  it('refuses a wrong token: the socket never attaches and the child sees 401', async () => {
    const { service } = countingLeaf('probe-v');
    const uplink = dial(parent.url, 'probe-v', service, { token: 'wrong' });
    const refused = await statusMatching(uplink, (s) => s.failedAttempts >= 2);
    expect(refused.lastError).toContain('401');
    expect(parent.uplink.isAttached('probe-v')).toBe(false);
    const call = await parent.uplink
      .link('probe-v')
      .client.node.info.query()
      .catch((e: unknown) => e);
    expect(call).toBeInstanceOf(TRPCClientError);
  });

  it('replaces an older socket of the same child with the newer one', async () => {
    await attach();
    const second = countingLeaf('probe-u');
    let detaches = 0;
    const off = parent.uplink.on('detach', () => (detaches += 1));
    const reattached = new Promise<void>((resolve) => {
      const offAttach = parent.uplink.on('attach', () => {
        offAttach();
        resolve();
      });
    });
    dial(parent.url, 'probe-u', second.service);
    await reattached;
    off();
    expect(detaches).toBeGreaterThanOrEqual(1);
    await parent.uplink.link('probe-u').client.node.info.query();
    expect(parent.uplink.attachedIds().filter((id) => id === 'probe-u')).toHaveLength(1);
  });
});

describe('a dead uplink in a fan-out', () => {
  let parent: Parent;

  beforeAll(async () => {
    parent = await startParent();
  });
  afterAll(async () => {
    await parent.app.close();
  });

  it('names a child with no socket unreachable at once, with the other children answered', async () => {
    const live = countingLeaf('probe-u');
    dial(parent.url, 'probe-u', live.service);
    await attached(parent, 'probe-u');
    // probe-v never dials; the heartbeat is told nothing, so only the link can say it is gone.
    const service = createFederatedNodeService({
      id: 'district-1',
      isRoot: true,
      children: [parent.uplink.link('probe-u'), parent.uplink.link('probe-v')],
      heartbeat: neverDown,
      deadlineMs: 5000,
    });
    const started = Date.now();
    const page = await service.devices.list({ limit: 10 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(page.items).toHaveLength(10);
    expect(page.coverage.nodes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'probe-u', state: 'ok' }),
        expect.objectContaining({ path: 'probe-v', state: 'unreachable' }),
      ]),
    );
  });

  it('fails a call in flight as unreachable when the socket goes, long before the deadline', async () => {
    const stalled = countingLeaf('probe-u');
    stalled.controls.stalled = true;
    const uplink = dial(parent.url, 'probe-u', stalled.service);
    await attached(parent, 'probe-u');
    const link = parent.uplink.link('probe-u');
    const started = Date.now();
    const settled = fanOut([link], (child, signal) => child.client.node.info.query(undefined, { signal }), {
      deadlineMs: 5000,
    });
    await new Promise((r) => setTimeout(r, 100));
    await uplink.stop();
    const [result] = await settled;
    stalled.controls.release();
    expect(result).toMatchObject({ id: 'probe-u', ok: false, state: 'unreachable' });
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe('a parent restart', () => {
  it('is followed by the child reattaching by itself, and calls work again', async () => {
    let parent = await startParent();
    const { service } = countingLeaf('probe-u');
    const uplink = dial(parent.url, 'probe-u', service);
    await attached(parent, 'probe-u');
    expect(await parent.uplink.link('probe-u').client.node.info.query()).toMatchObject({ id: 'probe-u' });

    const port = parent.port;
    await parent.app.close();
    // Down long enough for the child to be refused a few times and back off.
    const refused = await statusMatching(uplink, (s) => s.failedAttempts >= 2);
    expect(refused.lastError).toContain('ECONNREFUSED');

    parent = await startParent(port);
    try {
      await attached(parent, 'probe-u');
      await statusMatching(uplink, (s) => s.state === 'open');
      expect(await parent.uplink.link('probe-u').client.node.info.query()).toMatchObject({ id: 'probe-u' });
    } finally {
      await parent.app.close();
    }
  });
});

describe('keep-alive', () => {
  it("drops a child's socket when the child stops answering pings", async () => {
    const parent = await startParent();
    // A socket that passes the handshake but never answers anything: a frozen child.
    const frozen = new WebSocket(parent.url, {
      headers: { authorization: `Bearer ${TOKENS['probe-u']!}`, [UPLINK_NODE_HEADER]: 'probe-u' },
    });
    try {
      await attached(parent, 'probe-u');
      const started = Date.now();
      await detached(parent, 'probe-u');
      // Parent keep-alive here: ping after 1000 ms of quiet, give up 500 ms later.
      expect(Date.now() - started).toBeLessThan(2500);
    } finally {
      frozen.terminate();
      await parent.app.close();
    }
  });

  it('redials when the parent stops answering pings', async () => {
    // A parent that accepts the socket and then says nothing, not even to pings.
    const silent = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => silent.once('listening', () => resolve()));
    let connections = 0;
    silent.on('connection', () => (connections += 1));
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    const { service } = countingLeaf('probe-u');
    const uplink = dial(`ws://127.0.0.1:${address.port}/uplink`, 'probe-u', service, {
      keepAlive: { pingMs: 200, pongWaitMs: 200 },
    });
    try {
      await statusMatching(uplink, (s) => s.state === 'open');
      await statusMatching(uplink, (s) => s.state === 'waiting');
      await statusMatching(uplink, (s) => s.state === 'open');
      expect(connections).toBeGreaterThanOrEqual(2);
    } finally {
      await uplink.stop();
      for (const client of silent.clients) client.terminate();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses a handshake without a node id or token (400)', async () => {
    const parent = await startParent();
    try {
      const bare = new WebSocket(parent.url);
      const message = await new Promise<string>((resolve) => bare.once('error', (e) => resolve(e.message)));
      expect(message).toContain('400');
    } finally {
      await parent.app.close();
    }
  });
});
