import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTRPCClient,
  httpLink,
  httpSubscriptionLink,
  splitLink,
  TRPCClientError,
  type TRPCClient,
  type TRPCLink,
} from '@trpc/client';
import { EventSource } from 'eventsource';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actingUserHeaders, hashNodeToken, newNodeToken, runAsActor } from '@tierscope/federation';
import type { Actor, ConsoleApiRouter, NodeRouter, Rule, TrackedAlertChange } from '@tierscope/shared';
import {
  fetchAs,
  fetchWithHeaders,
  loginToConsole,
  spawnBff,
  spawnTestNode,
  waitFor,
  waitForNodesUp,
  waitReady,
  type ConsoleSession,
  type TierProcess,
} from './testing/processes.ts';

/*
 * Users, roles and scope through the real BFF, and again at a node called directly with a user's
 * identity. Every node trusts only its parent's token:
 *
 *   bff ─┬─ district-1 ─┬─ probe-a   devices a-hot, a-cool
 *        │              └─ probe-b   device  b-hot
 *        └─ probe-d                  device  d-hot
 *
 * `sam` is a viewer limited to district-1/probe-a.
 */
const READY_TIMEOUT_MS = 100_000;
const PASSWORD = 'a long enough test password';
const SAM_SCOPE = 'district-1/probe-a';

const dataDir = mkdtempSync(join(tmpdir(), 'tierscope-access-'));
const tiers: TierProcess[] = [];
const tokens = { district: newNodeToken(), d: newNodeToken(), a: newNodeToken(), b: newNodeToken() };
const mqttUrls = new Map<string, string>();
let bff: TierProcess;
let district: TierProcess;
let admin: TRPCClient<ConsoleApiRouter>;
const sessions = new Map<string, ConsoleSession>();

const hot: Rule = {
  id: 'hot',
  name: 'Too hot',
  severity: 'critical',
  enabled: true,
  scope: { devicePattern: '*', labels: {} },
  condition: { kind: 'threshold', metric: 'temp', operator: '>', value: 50, hysteresis: 0, forMs: 0 },
};

/** Links that send every request (subscriptions too) through `fetchImpl`. */
function linksWith(url: string, fetchImpl: typeof fetch): Array<TRPCLink<NodeRouter>> {
  return [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({
        url: `${url}/trpc`,
        EventSource,
        eventSourceOptions: () => ({ fetch: fetchImpl }),
      }),
      false: httpLink({ url: `${url}/trpc`, fetch: fetchImpl }),
    }),
  ];
}

const consoleClient = (name: string) =>
  createTRPCClient<ConsoleApiRouter>({ links: linksWith(bff.url, fetchAs(sessions.get(name)!)) });

/** The district as its parent calls it: the BFF's token, acting for `actor`. */
function districtAs(actor: Actor): TRPCClient<NodeRouter> {
  const headers = { authorization: `Bearer ${tokens.district}`, ...runAsActor(actor, actingUserHeaders) };
  return createTRPCClient<NodeRouter>({ links: linksWith(district.url, fetchWithHeaders(headers)) });
}

const codeOf = (error: unknown): unknown =>
  error instanceof TRPCClientError ? (error as TRPCClientError<NodeRouter>).data?.code : error;

async function publish(probe: string, topic: string, payload: unknown): Promise<void> {
  const client = await mqtt.connectAsync(mqttUrls.get(probe)!, {
    clientId: `pub-${probe}-${Date.now()}-${Math.random()}`,
  });
  await client.publishAsync(topic, JSON.stringify(payload), { qos: 1 });
  await client.endAsync();
}

async function startProbe(id: string, parentToken: string): Promise<TierProcess> {
  const tier = await spawnTestNode(id, dataDir, { PARENT_TOKEN_HASHES: hashNodeToken(parentToken) });
  mqttUrls.set(id, tier.mqttUrl);
  tiers.push(tier);
  return tier;
}

/** Logs `name` in, creating the user first as the admin (a new user must choose a password first). */
async function addUser(name: string, role: Actor['role'], scope: string[]): Promise<void> {
  const created = await admin.console.users.create.mutate({ name, role, scope, password: `${PASSWORD} 0` });
  const first = await loginToConsole(bff.url, { username: name, password: `${PASSWORD} 0` });
  const changed = await fetch(`${bff.url}/auth/password`, {
    method: 'POST',
    headers: { ...first.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ currentPassword: `${PASSWORD} 0`, newPassword: PASSWORD }),
  });
  expect(changed.status, await changed.clone().text()).toBe(200);
  expect(created.mustChangePassword).toBe(true);
  sessions.set(name, await loginToConsole(bff.url, { username: name, password: PASSWORD }));
}

beforeAll(async () => {
  const [probeA, probeB, probeD] = await Promise.all([
    startProbe('probe-a', tokens.a),
    startProbe('probe-b', tokens.b),
    startProbe('probe-d', tokens.d),
  ]);
  district = await spawnTestNode('district-1', dataDir, {
    CHILDREN: `probe-a=${probeA.url},probe-b=${probeB.url}`,
    CHILD_TOKENS: `probe-a=${tokens.a},probe-b=${tokens.b}`,
    PARENT_TOKEN_HASHES: hashNodeToken(tokens.district),
  });
  tiers.push(district);
  bff = await spawnBff({
    CHILDREN: `district-1=${district.url},probe-d=${probeD.url}`,
    CHILD_TOKENS: `district-1=${tokens.district},probe-d=${tokens.d}`,
    WEB_DIST: join(dataDir, 'no-console-here'),
  });
  tiers.push(bff);
  await Promise.all(tiers.map((tier) => waitReady(tier, READY_TIMEOUT_MS)));

  sessions.set('admin', await loginToConsole(bff.url));
  admin = consoleClient('admin');
  await waitForNodesUp(() => admin.node.info.query(), 4, 60_000);
  for (const path of ['district-1/probe-a', 'district-1/probe-b', 'probe-d']) {
    await admin.rules.upsert.mutate({ nodePath: path, rule: hot });
  }
  const devices: Array<[probe: string, id: string, temp: number]> = [
    ['probe-a', 'a-hot', 70],
    ['probe-a', 'a-cool', 20],
    ['probe-b', 'b-hot', 71],
    ['probe-d', 'd-hot', 72],
  ];
  for (const [probe, id, temp] of devices) {
    await publish(probe, `devices/${id}/telemetry`, { metrics: { temp } });
    await publish(probe, `devices/${id}/events`, {
      ts: Date.now(),
      type: 'door',
      severity: 'info',
      message: `door opened at ${id}`,
    });
  }
  await waitFor(
    'four devices, three firing alerts and four events at the BFF, and the counts caught up',
    async () =>
      (await admin.devices.list.query({ limit: 100 })).items.length === 4 &&
      (await admin.alerts.list.query({ states: ['firing'] })).items.length === 3 &&
      (await admin.events.search.query({ limit: 100 })).items.length === 4 &&
      // node.info counts come from each tier's heartbeat, a few seconds behind.
      (await admin.node.info.query()).devices.total === 4,
    60_000,
  );

  await addUser('vera', 'viewer', ['**']);
  await addUser('otto', 'operator', ['**']);
  await addUser('sam', 'viewer', [`${SAM_SCOPE}/**`]);
}, 240_000);

afterAll(async () => {
  await Promise.all(tiers.map((tier) => tier.stop('SIGTERM')));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('roles, checked by the BFF and again at the owning node', () => {
  it("refuses a viewer's ack with FORBIDDEN and stores an operator's, by name, at the probe", async () => {
    const [alert] = (await admin.alerts.list.query({ deviceId: 'b-hot', states: ['firing'] })).items;
    const ref = { nodePath: alert!.nodePath, id: alert!.id };

    const vera = consoleClient('vera');
    expect(await vera.alerts.ack.mutate({ ...ref, note: 'mine' }).catch(codeOf)).toBe('FORBIDDEN');
    await consoleClient('otto').alerts.ack.mutate({ ...ref, note: 'on it' });

    const atDistrict = await districtAs({ kind: 'user', name: 'x', role: 'viewer' }).alerts.list.query({
      deviceId: 'b-hot',
    });
    expect(atDistrict.items[0]!.ack).toMatchObject({ by: 'otto', note: 'on it' });
    // The node checks the role too: a viewer's ack, sent straight to it by its parent, is refused.
    const veraAtDistrict = districtAs({ kind: 'user', name: 'vera', role: 'viewer' });
    expect(await veraAtDistrict.alerts.unack.mutate(ref).catch(codeOf)).toBe('FORBIDDEN');
  });

  it('lets only an admin edit rules, and audits the change with who and from where', async () => {
    const rule = { ...hot, id: 'warm', name: 'Warm', severity: 'warning' as const };
    const target = { nodePath: 'probe-d', rule };
    expect(await consoleClient('otto').rules.upsert.mutate(target).catch(codeOf)).toBe('FORBIDDEN');
    expect(await consoleClient('vera').rules.upsert.mutate(target).catch(codeOf)).toBe('FORBIDDEN');
    await admin.rules.upsert.mutate(target);
    const otto = districtAs({ kind: 'user', name: 'otto', role: 'operator' });
    expect(await otto.rules.upsert.mutate({ nodePath: 'district-1/probe-a', rule }).catch(codeOf)).toBe(
      'FORBIDDEN',
    );

    const audited = await admin.console.audit.list.query({ action: 'rule.upsert', target: 'probe-d/warm' });
    expect(audited.items).toHaveLength(1);
    expect(audited.items[0]).toMatchObject({ actor: 'admin', address: '127.0.0.1' });
    const acks = await admin.console.audit.list.query({ action: 'alert.ack' });
    expect(acks.items.map((entry) => entry.actor)).toEqual(['otto']);
  });

  it('keeps the users and the audit log to admins', async () => {
    for (const name of ['vera', 'otto', 'sam']) {
      expect(await consoleClient(name).console.users.list.query().catch(codeOf)).toBe('FORBIDDEN');
      expect(await consoleClient(name).console.audit.list.query({}).catch(codeOf)).toBe('FORBIDDEN');
    }
    expect((await admin.console.users.list.query()).map((user) => user.name)).toEqual([
      'admin',
      'otto',
      'sam',
      'vera',
    ]);
  });
});

describe(`a user scoped to ${SAM_SCOPE}`, () => {
  const paths = (items: Array<{ nodePath: string }>) => [...new Set(items.map((item) => item.nodePath))];

  it('sees only that subtree in devices, events, alerts and counts through the BFF', async () => {
    const sam = consoleClient('sam');
    const devices = await sam.devices.list.query({ limit: 100 });
    expect(devices.items.map((d) => d.id).sort()).toEqual(['a-cool', 'a-hot']);
    expect(paths((await sam.events.search.query({ limit: 100 })).items)).toEqual([SAM_SCOPE]);
    expect((await sam.events.search.query({ limit: 100 })).items).toHaveLength(2);
    const alerts = await sam.alerts.list.query({ limit: 100 });
    expect(alerts.items.map((a) => a.deviceId)).toEqual(['a-hot']);

    const info = await sam.node.info.query();
    expect(info.devices.total).toBe(2);
    const visible = (info.children ?? []).flatMap((c) => [
      c.path,
      ...(c.info?.children ?? []).map((g) => g.path),
    ]);
    expect(visible).toEqual(['district-1', SAM_SCOPE]);

    // Asking for a path outside the scope by name gives nothing, not an error that confirms it exists.
    expect((await sam.devices.list.query({ nodePath: 'probe-d', limit: 100 })).items).toEqual([]);
    expect(await sam.devices.get.query({ nodePath: 'probe-d', deviceId: 'd-hot' }).catch(codeOf)).toBe(
      'NOT_FOUND',
    );
  });

  it('gets only that subtree from the live alert stream', async () => {
    const seen: TrackedAlertChange[] = [];
    const subscription = consoleClient('sam').alerts.watch.subscribe(
      {},
      { onData: ({ id, data }) => seen.push({ id, change: data }) },
    );
    try {
      await waitFor(
        'the open alert of probe-a',
        async () => seen.some((s) => s.change.alert.deviceId === 'a-hot'),
        20_000,
      );
      await publish('probe-b', 'devices/b-new/telemetry', { metrics: { temp: 90 } });
      await publish('probe-d', 'devices/d-new/telemetry', { metrics: { temp: 90 } });
      await publish('probe-a', 'devices/a-new/telemetry', { metrics: { temp: 90 } });
      await waitFor('a-new fired', async () => seen.some((s) => s.change.alert.deviceId === 'a-new'), 20_000);
      // The others fired too (the admin sees them), and never reached sam.
      await waitFor(
        'b-new and d-new firing for the admin',
        async () => {
          const firing = await admin.alerts.list.query({ states: ['firing'], limit: 100 });
          const devices = new Set(firing.items.map((alert) => alert.deviceId));
          return devices.has('b-new') && devices.has('d-new');
        },
        20_000,
      );
      expect(paths(seen.map((s) => s.change.alert))).toEqual([SAM_SCOPE]);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('sees only that subtree at the district too, called directly with their identity', async () => {
    const sam = districtAs({ kind: 'user', name: 'sam', role: 'viewer', scope: [SAM_SCOPE] });
    const devices = await sam.devices.list.query({ limit: 100 });
    expect(paths(devices.items)).toEqual([SAM_SCOPE]);
    expect(paths((await sam.events.search.query({ limit: 100 })).items)).toEqual([SAM_SCOPE]);
    expect(paths((await sam.alerts.list.query({ limit: 100 })).items)).toEqual([SAM_SCOPE]);
    // The count is the district's heartbeat's, a few seconds behind the list.
    await waitFor(
      "the district's count of sam's devices",
      async () => (await sam.node.info.query()).devices.total === devices.items.length,
      20_000,
    );

    const seen: TrackedAlertChange[] = [];
    const subscription = sam.alerts.watch.subscribe(
      {},
      { onData: ({ id, data }) => seen.push({ id, change: data }) },
    );
    try {
      await waitFor('the open alerts of probe-a', async () => seen.length >= 2, 20_000);
      await publish('probe-b', 'devices/b-later/telemetry', { metrics: { temp: 95 } });
      await publish('probe-a', 'devices/a-later/telemetry', { metrics: { temp: 95 } });
      await waitFor(
        'a-later fired',
        async () => seen.some((s) => s.change.alert.deviceId === 'a-later'),
        20_000,
      );
      expect(paths(seen.map((s) => s.change.alert))).toEqual([SAM_SCOPE]);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('is refused by a node when the call does not come from its parent', async () => {
    const stranger = createTRPCClient<NodeRouter>({ links: linksWith(district.url, fetch) });
    const error = await stranger.devices.list.query({ limit: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<NodeRouter>).data?.httpStatus).toBe(401);
  });
});

describe('the web hardening of the real BFF', () => {
  it("refuses a mutation without the session's CSRF token, and sends the strict CSP and no-framing", async () => {
    const { cookie, csrfToken } = sessions.get('otto')!;
    const [alert] = (await admin.alerts.list.query({ states: ['firing'] })).items;
    const ack = (headers: Record<string, string>) =>
      fetch(`${bff.url}/trpc/alerts.ack`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ nodePath: alert!.nodePath, id: alert!.id, note: 'csrf?' }),
      });
    const without = await ack({});
    expect(without.status).toBe(403);
    expect(((await without.json()) as { error: { data: { code: string } } }).error.data.code).toBe(
      'FORBIDDEN',
    );
    expect((await ack({ 'x-csrf-token': 'forged' })).status).toBe(403);
    const withToken = await ack({ 'x-csrf-token': csrfToken });
    expect(withToken.status).toBe(200);

    const csp = withToken.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(withToken.headers.get('x-frame-options')).toBe('DENY');
  });

  it('rate-limits logins to an account after five failures, even with the right password', async () => {
    await admin.console.users.create.mutate({ name: 'rita', role: 'viewer', password: PASSWORD });
    const login = (password: string) =>
      fetch(`${bff.url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'rita', password }),
      });
    for (let attempt = 0; attempt < 5; attempt++) expect((await login('not her password')).status).toBe(401);
    const limited = await login(PASSWORD);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const failures = await admin.console.audit.list.query({ action: 'auth.login.failed', target: 'rita' });
    expect(failures.items).toHaveLength(5);
  });
});
