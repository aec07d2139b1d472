import { afterEach, describe, expect, it, vi } from 'vitest';
import { TRPCError } from '@trpc/server';
import type { Actor } from '../domain/roles.ts';
import { nodeRouter } from './app.router.ts';
import type { NodeInfo } from './node.schemas.ts';
import type { NodeService } from './node.service.ts';
import { createCallerFactory } from './trpc.ts';
import { fakeNodeService } from '@tierscope/test-support/fake-node-service';

const info: NodeInfo = {
  id: 'probe-a',
  name: 'probe-a',
  path: 'probe-a',
  version: 'test',
  startedAt: 0,
  devices: { total: 0, online: 0 },
  ingest: { messagesTotal: 0, samplesTotal: 0, samplesPerSec: 0, queueDepth: 0, deadLettersTotal: 0 },
  broker: { connected: true, embedded: true, url: 'memory://' },
  database: { reachable: true, driver: 'pglite' },
};

function serviceWithInfo(nodeInfo: Partial<NodeService['node']>): NodeService {
  return fakeNodeService({ node: nodeInfo });
}

const viewer: Actor = { kind: 'user', name: 'tester', role: 'viewer' };

afterEach(() => {
  vi.useRealTimers();
});

describe('node.watch', () => {
  it('yields the info at once, then again every intervalMs, and ends when the signal aborts', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const service = serviceWithInfo({ info: () => Promise.resolve({ ...info, version: `v${++calls}` }) });
    const controller = new AbortController();
    const caller = createCallerFactory(nodeRouter)(
      { node: service, actor: viewer },
      { signal: controller.signal },
    );
    const stream = (await caller.node.watch({ intervalMs: 1000 }))[Symbol.asyncIterator]();

    expect((await stream.next()).value).toMatchObject({ version: 'v1' });
    const second = stream.next();
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect((await second).value).toMatchObject({ version: 'v2' });

    const third = stream.next();
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect((await third).done).toBe(true);
    expect(calls).toBe(2);
  });

  it("uses the service's own watch when it has one", async () => {
    const service = serviceWithInfo({
      info: () => Promise.reject(new Error('watch must not poll')),
      async *watch() {
        yield { ...info, version: 'pushed' };
      },
    });
    const caller = createCallerFactory(nodeRouter)({ node: service, actor: viewer });
    const seen: NodeInfo[] = [];
    for await (const value of await caller.node.watch({})) seen.push(value);
    expect(seen.map((v) => v.version)).toEqual(['pushed']);
  });

  it.each([499, 60_001])('refuses intervalMs %i as BAD_REQUEST', async (intervalMs) => {
    const caller = createCallerFactory(nodeRouter)({
      node: serviceWithInfo({ info: () => Promise.resolve(info) }),
      actor: viewer,
    });
    const error: unknown = await caller.node.watch({ intervalMs }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe('BAD_REQUEST');
  });
});
