import { hashNodeToken } from './links/node-tokens.ts';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { describe, expect, it } from 'vitest';
import { nodeRouter, type Actor, type NodeService, type Rule } from '@tierscope/shared';
import { createHttpChildLink } from './links/child-link.ts';
import { budgetedDeadline, DEADLINE_HEADER, readDeadlineHeader } from './links/deadline-budget.ts';
import {
  ChildList,
  childEndpoint,
  childrenInBothLists,
  createFederationRuntime,
  UplinkChildList,
  childTokenRegistryOf,
} from './federation-runtime.ts';
import { createInMemoryNodeService, generateDevices } from './testing/in-memory-node-service.ts';
import { createInProcessChildLink } from './testing/in-process-link.ts';

const parent: Actor = { kind: 'node', name: 'parent', role: 'admin' };
const RULE: Rule = {
  id: 'hot',
  name: 'Hot',
  severity: 'warning',
  enabled: true,
  scope: { devicePattern: '*', labels: {} },
  condition: { kind: 'threshold', metric: 'temp', operator: '>', value: 50, hysteresis: 0, forMs: 0 },
};

/** An HTTP child link over an in-process server that records the deadline header of each call. */
function recordingLink(id: string, service: NodeService, seen: (string | null)[]) {
  return createHttpChildLink({
    id,
    url: 'http://in-process/trpc',
    fetch: async (url: string | URL | Request, init?: RequestInit) => {
      const req = new Request(url, init);
      seen.push(req.headers.get(DEADLINE_HEADER));
      return fetchRequestHandler({
        endpoint: '/trpc',
        req,
        router: nodeRouter,
        createContext: () => ({ node: service, actor: parent }),
      });
    },
  });
}

describe('ChildList', () => {
  it('reads id=url pairs and rejects a bad id, a bad URL or a repeated id', () => {
    expect(ChildList.parse('probe-c=http://127.0.0.1:4103, probe-d=http://10.0.0.7:4100/trpc')).toEqual([
      { id: 'probe-c', url: 'http://127.0.0.1:4103' },
      { id: 'probe-d', url: 'http://10.0.0.7:4100/trpc' },
    ]);
    expect(ChildList.parse('')).toEqual([]);
    expect(ChildList.safeParse('Probe=http://x').success).toBe(false);
    expect(ChildList.safeParse('probe-c=ftp://x').success).toBe(false);
    expect(ChildList.safeParse('probe-c').success).toBe(false);
    expect(ChildList.safeParse('a=http://x,a=http://y').success).toBe(false);
    expect(childEndpoint('http://h:1/')).toBe('http://h:1/trpc');
    expect(childEndpoint('http://h:1/trpc')).toBe('http://h:1/trpc');
  });
});

describe('deadline budget', () => {
  it('takes min(own deadline, budget − margin), and ignores a missing or unusable header', () => {
    expect(budgetedDeadline(1200, undefined)).toBe(1200);
    expect(budgetedDeadline(1200, 900)).toBe(800);
    expect(budgetedDeadline(1200, 5000)).toBe(1200);
    expect(readDeadlineHeader('1400')).toBe(1400);
    expect(readDeadlineHeader(['700', '9'])).toBe(700);
    expect(readDeadlineHeader(undefined)).toBeUndefined();
    expect(readDeadlineHeader('soon')).toBeUndefined();
    expect(readDeadlineHeader('-5')).toBeUndefined();
  });
});

describe('createFederationRuntime', () => {
  it('tells each child the time left of the budget, and sends no budget from a heartbeat', async () => {
    const seen: (string | null)[] = [];
    const leaf = createInMemoryNodeService('probe-a', {
      devices: generateDevices('probe-a', 5, 1),
      events: [],
    });
    const runtime = createFederationRuntime({
      id: 'district-1',
      isRoot: false,
      children: [recordingLink('probe-a', leaf.service, seen)],
      deadlineMs: 1200,
    });

    await runtime.service(900).devices.list({ limit: 10 });
    await runtime.service().devices.list({ limit: 10 });
    await runtime.heartbeat.beat();

    const [budgeted, own, beat] = seen.map((h) => (h === null ? null : Number(h)));
    expect(budgeted).toBeGreaterThan(700);
    expect(budgeted).toBeLessThanOrEqual(800);
    expect(own).toBeGreaterThan(1100);
    expect(own).toBeLessThanOrEqual(1200);
    expect(beat).toBeNull();
  });

  it("gives a procedure that declares its own deadline (rules.preview) that deadline, still within the caller's budget", async () => {
    const seen: (string | null)[] = [];
    const leaf = createInMemoryNodeService('probe-a', { devices: [], events: [] });
    const runtime = createFederationRuntime({
      id: 'district-1',
      isRoot: false,
      children: [recordingLink('probe-a', leaf.service, seen)],
      deadlineMs: 1200,
    });
    const preview = { rule: RULE, from: 0, to: 3_600_000 };

    await runtime.service().rules.preview(preview);
    await runtime.service().devices.count({});
    await runtime.service(3000).rules.preview(preview);

    const [own, usual, budgeted] = seen.map(Number);
    expect(own).toBeGreaterThan(9000);
    expect(own).toBeLessThanOrEqual(10_000);
    expect(usual).toBeLessThanOrEqual(1200);
    expect(budgeted).toBeGreaterThan(2500);
    expect(budgeted).toBeLessThanOrEqual(2900);
  });

  it('answers timeout within the budget rather than its own longer deadline', async () => {
    const slow = createInMemoryNodeService('probe-a', {
      devices: generateDevices('probe-a', 5, 1),
      events: [],
    });
    slow.controls.stalled = true;
    const runtime = createFederationRuntime({
      id: 'district-1',
      isRoot: false,
      children: [createInProcessChildLink('probe-a', slow.service)],
      deadlineMs: 5000,
    });
    const started = Date.now();
    const page = await runtime.service(400).devices.list({ limit: 10 });
    expect(Date.now() - started).toBeLessThan(400);
    expect(page.coverage.nodes).toMatchObject([{ path: 'district-1/probe-a', state: 'timeout' }]);
    slow.controls.release();
  });

  it('adds, replaces and removes children at run time', async () => {
    const a = createInMemoryNodeService('probe-a', { devices: generateDevices('probe-a', 3, 1), events: [] });
    const b = createInMemoryNodeService('probe-b', { devices: generateDevices('probe-b', 4, 2), events: [] });
    const runtime = createFederationRuntime({ id: 'bff', isRoot: true });
    const total = async () => (await runtime.service().devices.list({ limit: 100 })).items.length;

    expect(await total()).toBe(0);
    runtime.addChild(createInProcessChildLink('probe-a', a.service));
    runtime.addChild(createInProcessChildLink('probe-b', b.service));
    expect(await total()).toBe(7);
    runtime.addChild(createInProcessChildLink('probe-b', a.service));
    expect(runtime.children().map((c) => c.id)).toEqual(['probe-a', 'probe-b']);
    expect(runtime.removeChild('probe-a')).toBe(true);
    expect(runtime.removeChild('probe-a')).toBe(false);
    expect(runtime.heartbeat.health().map((h) => h.id)).toEqual(['probe-b']);
    expect(runtime.heartbeat.isDown('probe-a')).toBe(true);
    expect(() => runtime.addChild(createInProcessChildLink('bff', a.service))).toThrow(/own id/);
  });
});

describe('UPLINK_CHILDREN', () => {
  const token = 'x'.repeat(16);

  it('parses id=token pairs and refuses short tokens, bad ids and duplicates', () => {
    expect(UplinkChildList.parse(` probe-a=${token} , probe-b=${token}y,`)).toEqual([
      { id: 'probe-a', tokenHash: hashNodeToken(token) },
      { id: 'probe-b', tokenHash: hashNodeToken(`${token}y`) },
    ]);
    expect(UplinkChildList.safeParse('probe-a=short').success).toBe(false);
    expect(UplinkChildList.safeParse(`probe-a`).success).toBe(false);
    expect(UplinkChildList.safeParse(`bad/id=${token}`).success).toBe(false);
    expect(UplinkChildList.safeParse(`probe-a=${token},probe-a=${token}`).success).toBe(false);
  });

  it('names the children configured both as dialled and as uplink children', () => {
    const dialled = ChildList.parse('probe-a=http://127.0.0.1:4101,probe-c=http://127.0.0.1:4103');
    expect(childrenInBothLists(dialled, UplinkChildList.parse(`probe-a=${token},probe-b=${token}`))).toEqual([
      'probe-a',
    ]);
  });

  it("accepts only a child's own token, and no unknown child", async () => {
    const registry = childTokenRegistryOf(UplinkChildList.parse(`probe-a=${token},probe-b=${token}b`));
    expect(await registry.verify('probe-a', token)).toBe(true);
    expect(await registry.verify('probe-a', `${token}b`)).toBe(false);
    expect(await registry.verify('probe-b', token)).toBe(false);
    expect(await registry.verify('probe-z', token)).toBe(false);
  });

  it('keeps only hashes, takes a configured hash as is, and refuses a rotated or revoked token at once', async () => {
    const hashOfB = hashNodeToken(`${token}b`);
    const children = UplinkChildList.parse(`probe-a=${token},probe-b=${hashOfB}`);
    expect(children).toEqual([
      { id: 'probe-a', tokenHash: hashNodeToken(token) },
      { id: 'probe-b', tokenHash: hashOfB },
    ]);
    const registry = childTokenRegistryOf(children);
    const changed: string[] = [];
    registry.onChange((id) => changed.push(id));
    const fresh = await registry.rotate('probe-a');
    expect(await registry.verify('probe-a', token)).toBe(false);
    expect(await registry.verify('probe-a', fresh)).toBe(true);
    expect(await registry.verify('probe-b', `${token}b`)).toBe(true);
    expect(await registry.revoke('probe-b')).toBe(true);
    expect(await registry.verify('probe-b', `${token}b`)).toBe(false);
    expect(changed).toEqual(['probe-a', 'probe-b']);
  });
});
