import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpChildLink, hashNodeToken, newNodeToken } from '@tierscope/federation';
import type { ConsoleApiRouter, TrackedAlertChange } from '@tierscope/shared';
import { startHaproxy, type Haproxy } from '@tierscope/test-support/haproxy';
import { createPostgresDatabase, type TestDatabase } from '@tierscope/test-support/test-databases';
import {
  fetchAs,
  freePort,
  loginToConsole,
  spawnBff,
  spawnTestNode,
  waitFor,
  waitReady,
  type ConsoleSession,
  type NodeProcess,
  type TierProcess,
} from './testing/processes.ts';
import {
  BOILER_TOO_HOT,
  ownAlertChanges,
  publishTemperature,
  subscribeToAlerts,
} from './testing/alert-streams.ts';

/*
 * Two BFF replicas on one PostgreSQL behind a real HAProxy (docs/decisions/0017-two-bff-replicas.md):
 *
 *   browser ── haproxy ─┬─ bff-a ─┬─ probe-d   dialled by each replica
 *                       │         └─ probe-u   dials an uplink to each replica (PARENT_UPLINK_URL=a,b)
 *                       └─ bff-b ─┘
 *
 * Replicas are killed with SIGKILL and started again on the same port, as a crash and a restart.
 */
const READY_TIMEOUT_MS = 100_000;
const serverDatabase = process.env.TEST_DATABASE_URL;

type ConsoleClient = TRPCClient<ConsoleApiRouter>;

function consoleClient(url: string, session: ConsoleSession): ConsoleClient {
  return createTRPCClient<ConsoleApiRouter>({
    links: [httpLink({ url: `${url}/trpc`, fetch: fetchAs(session) })],
  });
}

/** A subscriber to `url`'s live alert stream (through `fetch`, e.g. with a session). */
const subscribe = (url: string, fetch?: typeof globalThis.fetch) =>
  subscribeToAlerts(createHttpChildLink({ id: 'subscriber', url: `${url}/trpc`, ...(fetch && { fetch }) }));

async function childStates(client: ConsoleClient, signal?: AbortSignal): Promise<Record<string, string>> {
  const info = await client.node.info.query(undefined, signal && { signal });
  return Object.fromEntries((info.children ?? []).map((c) => [c.path, c.state]));
}

/** Waits (with a deadline) until `client` reports both children up, the uplink child included. */
async function bothChildrenUp(
  client: ConsoleClient,
  where: string,
  processes: readonly TierProcess[] = [],
): Promise<void> {
  await waitFor(
    `probe-d and probe-u up at ${where}`,
    async (signal) => {
      const states = await childStates(client, signal);
      return states['probe-d'] === 'up' && states['probe-u'] === 'up';
    },
    { timeoutMs: 60_000, processes },
  );
}

async function login(url: string, username: string, password: string): Promise<number> {
  const response = await fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  await response.arrayBuffer();
  return response.status;
}

describe.skipIf(!serverDatabase)('two BFF replicas behind HAProxy on one PostgreSQL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tierscope-replicas-'));
  const nodes: NodeProcess[] = [];
  const replicas = new Map<'a' | 'b', TierProcess>();
  const replicaEnv = new Map<'a' | 'b', Record<string, string>>();
  const probeUToken = newNodeToken();
  let database: TestDatabase;
  let haproxy: Haproxy | undefined;
  let probeD: NodeProcess;
  let probeU: NodeProcess;
  let uplinkUrls = '';

  const replica = (name: 'a' | 'b') => replicas.get(name)!;
  const adminOn = async (name: 'a' | 'b') =>
    consoleClient(replica(name).url, await loginToConsole(replica(name).url));

  async function startReplica(name: 'a' | 'b'): Promise<void> {
    const tier = await spawnBff(replicaEnv.get(name)!);
    replicas.set(name, tier);
    await waitReady(tier, READY_TIMEOUT_MS);
  }

  async function spawnProbe(id: string, env: Record<string, string> = {}): Promise<NodeProcess> {
    const node = await spawnTestNode(id, dataDir, env);
    nodes.push(node);
    await waitReady(node, READY_TIMEOUT_MS);
    return node;
  }

  /** Waits until `replica` has every child up, the uplink child included. */
  async function everyChildUpOn(name: 'a' | 'b'): Promise<void> {
    await bothChildrenUp(await adminOn(name), `bff-${name}`, [replica(name)]);
  }

  beforeAll(async () => {
    database = await createPostgresDatabase(serverDatabase!);
    const ports = { a: await freePort(), b: await freePort() };
    uplinkUrls = `ws://127.0.0.1:${ports.a}/uplink,ws://127.0.0.1:${ports.b}/uplink`;
    probeD = await spawnProbe('probe-d');
    for (const name of ['a', 'b'] as const) {
      replicaEnv.set(name, {
        HTTP_PORT: String(ports[name]),
        DATABASE_URL: database.url,
        CHILDREN: `probe-d=${probeD.url}`,
        UPLINK_CHILDREN: `probe-u=${hashNodeToken(probeUToken)}`,
        TRUST_PROXY: '127.0.0.1',
        WEB_DIST: join(dataDir, 'no-console-here'),
      });
    }
    // Started together on a fresh database, as a deployment would: migrations and the first admin race.
    await Promise.all([startReplica('a'), startReplica('b')]);
    probeU = await spawnProbe('probe-u', { PARENT_UPLINK_URL: uplinkUrls, NODE_TOKEN: probeUToken });
    haproxy = await startHaproxy(dataDir, [
      { name: 'bff-a', port: ports.a },
      { name: 'bff-b', port: ports.b },
    ]);
    await Promise.all([everyChildUpOn('a'), everyChildUpOn('b')]);
  }, 300_000);

  afterAll(async () => {
    await haproxy?.stop();
    await Promise.all([...replicas.values(), ...nodes].map((t) => t.stop('SIGTERM')));
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lets a login made on one replica work on the other, and both list every child, the uplink child included', async () => {
    const session = await loginToConsole(replica('a').url);
    const onB = consoleClient(replica('b').url, session);
    await bothChildrenUp(onB, 'bff-b, with the session made at bff-a');
    const onA = consoleClient(replica('a').url, session);
    await bothChildrenUp(onA, 'bff-a');
    // A mutation too: its CSRF token is the session's, not the replica's.
    const silence = await onB.silences.create.mutate({
      nodePath: 'probe-u',
      matchers: { devicePattern: 'pump-*' },
      endsAt: Date.now() + 3600_000,
      comment: 'made on bff-b with a session from bff-a',
    });
    const silences = await onA.silences.list.query({});
    expect(silences.items.map((s) => s.id)).toContain(silence.id);
  });

  it('keeps the session and the live alert stream, every alert once, when either replica is killed', async () => {
    const session = await loginToConsole(haproxy!.url);
    const viaProxy = consoleClient(haproxy!.url, session);
    for (const nodePath of ['probe-d', 'probe-u'])
      await viaProxy.rules.upsert.mutate({ nodePath, rule: BOILER_TOO_HOT });
    // HAProxy names the replica that answered; the stream's last (re)connection tells which serves it.
    let streamServedBy: string | null = null;
    const browser = subscribe(haproxy!.url, async (input, init) => {
      const response = await fetchAs(session)(input, init);
      streamServedBy = response.headers.get('x-served-by') ?? streamServedBy;
      return response;
    });
    const streamReplica = (): 'a' | 'b' => {
      if (streamServedBy !== 'bff-a' && streamServedBy !== 'bff-b')
        throw new Error(`the stream's answer names no replica: ${String(streamServedBy)}`);
      return streamServedBy === 'bff-a' ? 'a' : 'b';
    };
    // Ground truth: each probe's own stream, asked directly.
    const truth = { 'probe-d': subscribe(probeD.url), 'probe-u': subscribe(probeU.url) };
    const probes = { 'probe-d': probeD, 'probe-u': probeU } as const;
    const allDelivered = () =>
      (['probe-d', 'probe-u'] as const).every(
        (path) =>
          ownAlertChanges(browser.items, path).length >= ownAlertChanges(truth[path].items, path).length,
      );
    const dropsPerKill: number[] = [];
    const victims: Array<'a' | 'b'> = [];
    try {
      for (const round of [1, 2]) {
        // Live before the kill: one alert per probe reaches the browser.
        for (const [path, probe] of Object.entries(probes))
          await publishTemperature(probe.mqttUrl, `boiler-${round}-1`, 60 + path.length);
        await waitFor(
          `boiler-${round}-1 fired on both probes, in the browser's stream`,
          async () =>
            ['probe-d', 'probe-u'].every((path) =>
              ownAlertChanges(browser.items, path).some((c) => c.includes(`:boiler-${round}-1:`)),
            ),
          60_000,
        );
        const dropsBefore = browser.drops();
        // Kill the replica serving the stream: the first round one, the second the other.
        const victim = streamReplica();
        victims.push(victim);

        replica(victim).signal('SIGKILL');
        await replica(victim).exited;

        // The session goes on through the proxy, and on the survivor directly: it lives in PostgreSQL.
        const me = await fetch(`${haproxy!.url}/auth/me`, { headers: session.headers });
        expect(me.status).toBe(200);
        expect(((await me.json()) as { user: { name: string } }).user.name).toBe('admin');
        // Both children listed at once; their states come from the survivor's heartbeat, which a
        // loaded host may hold back a moment.
        expect(Object.keys(await childStates(viaProxy)).sort()).toEqual(['probe-d', 'probe-u']);
        await bothChildrenUp(viaProxy, `the survivor of bff-${victim}`);

        // While the victim is down: one alert resolves, another fires, on each probe.
        for (const probe of Object.values(probes)) {
          await publishTemperature(probe.mqttUrl, `boiler-${round}-1`, 20);
          await publishTemperature(probe.mqttUrl, `boiler-${round}-2`, 70);
        }
        await waitFor(
          'every change of both probes in the browser’s stream',
          async () =>
            (['probe-d', 'probe-u'] as const).every((path) => {
              // A resolution comes once the device has stayed clear for a while (clearForMs).
              const changes = ownAlertChanges(truth[path].items, path);
              return (
                changes.some((c) => c.startsWith(`resolved hot:boiler-${round}-1:`)) &&
                changes.some((c) => c.startsWith(`fired hot:boiler-${round}-2:`))
              );
            }) && allDelivered(),
          90_000,
        );
        dropsPerKill.push(browser.drops() - dropsBefore);
        // The stream was resumed by the survivor.
        expect(streamReplica()).not.toBe(victim);

        await startReplica(victim);
        await everyChildUpOn(victim);
      }
      // Each replica was killed once, each time while it served the stream, which moved each time.
      expect([...victims].sort()).toEqual(['a', 'b']);
      expect(dropsPerKill.every((drops) => drops >= 1)).toBe(true);
      // Settle: anything repeated after the last resume would arrive now.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      for (const path of ['probe-d', 'probe-u'] as const) {
        const delivered = ownAlertChanges(browser.items, path);
        // Exactly once and in the probe's order: nothing lost, nothing repeated across the moves.
        expect(delivered).toEqual(ownAlertChanges(truth[path].items, path));
        // Per kill: fired before it, then resolved and fired while the victim was down.
        expect(delivered).toHaveLength(6);
      }
      console.info(
        `stream served by bff-${victims.join(', then bff-')}, killed each time; ${dropsPerKill.join(', ')} reconnects per kill; ` +
          `${ownAlertChanges(browser.items, 'probe-d').length + ownAlertChanges(browser.items, 'probe-u').length} alert changes delivered once`,
      );
    } finally {
      browser.stop();
      for (const t of Object.values(truth)) t.stop();
    }
  }, 400_000);

  it('refuses on one replica an uplink token rotated through the other, and takes the new one on both', async () => {
    const onA = await adminOn('a');
    const onB = await adminOn('b');
    const rotated = await onA.node.rotateChildToken.mutate({ nodePath: 'probe-u' });
    expect(rotated.token).not.toBe(probeUToken);
    // bff-b drops probe-u's socket by itself, and refuses its old token from then on.
    await waitFor(
      'probe-u down at both replicas after the rotation at bff-a',
      async (signal) => {
        const [a, b] = await Promise.all([childStates(onA, signal), childStates(onB, signal)]);
        return a['probe-u'] === 'down' && b['probe-u'] === 'down';
      },
      30_000,
    );
    expect((await childStates(onB))['probe-d']).toBe('up');

    // The probe, given its new token, attaches to both again.
    await probeU.stop('SIGTERM');
    nodes.splice(nodes.indexOf(probeU), 1);
    probeU = await spawnProbe('probe-u', { PARENT_UPLINK_URL: uplinkUrls, NODE_TOKEN: rotated.token });
    await Promise.all([everyChildUpOn('a'), everyChildUpOn('b')]);

    // Revoked through bff-b: bff-a drops it too.
    expect(await onB.node.revokeChildToken.mutate({ nodePath: 'probe-u' })).toEqual({
      nodePath: 'probe-u',
      revoked: true,
    });
    await waitFor(
      'probe-u down at bff-a after the revocation at bff-b',
      async (signal) => (await childStates(onA, signal))['probe-u'] === 'down',
      30_000,
    );
    await expect(onA.node.revokeChildToken.mutate({ nodePath: 'probe-u' })).resolves.toEqual({
      nodePath: 'probe-u',
      revoked: false,
    });
  }, 240_000);

  it('shows one node-unreachable alert for a child both replicas lose, acked on one and acked on the other', async () => {
    const session = await loginToConsole(haproxy!.url);
    const on = { a: consoleClient(replica('a').url, session), b: consoleClient(replica('b').url, session) };
    const streams = {
      a: subscribe(replica('a').url, fetchAs(session)),
      b: subscribe(replica('b').url, fetchAs(session)),
    };
    const unreachableOn = async (name: 'a' | 'b', signal?: AbortSignal) =>
      (await on[name].alerts.list.query({ limit: 100 }, signal && { signal })).items.filter(
        (a) => a.ruleId === 'node-unreachable' && a.subjectPath === 'probe-d',
      );
    const bookChanges = (items: readonly TrackedAlertChange[]) =>
      items
        .filter(
          (i) => i.change.alert.ruleId === 'node-unreachable' && i.change.alert.subjectPath === 'probe-d',
        )
        .map((i) => `${i.change.kind} ${i.change.alert.id}`);
    try {
      const port = probeD.port;
      await probeD.stop('SIGTERM');
      nodes.splice(nodes.indexOf(probeD), 1);
      await waitFor(
        'probe-d unreachable at both replicas',
        async (signal) =>
          (await unreachableOn('a', signal)).length > 0 && (await unreachableOn('b', signal)).length > 0,
        60_000,
      );
      const [atA, atB] = [await unreachableOn('a'), await unreachableOn('b')];
      // Each replica lost it from its own heartbeat; they show one alert, the same one.
      expect(atA).toHaveLength(1);
      expect(atB.map((a) => a.id)).toEqual(atA.map((a) => a.id));
      const id = atA[0]!.id;

      await on.b.alerts.ack.mutate({ nodePath: 'probe-d', id, note: 'probe being replaced' });
      await waitFor(
        'the ack made at bff-b listed at bff-a',
        async (signal) => (await unreachableOn('a', signal))[0]?.ack?.note === 'probe being replaced',
        30_000,
      );

      probeD = await spawnProbe('probe-d', { HTTP_PORT: String(port) });
      await waitFor(
        'probe-d back: its alert resolved at both replicas',
        async (signal) =>
          (await unreachableOn('a', signal))[0]?.state === 'resolved' &&
          (await unreachableOn('b', signal))[0]?.state === 'resolved',
        60_000,
      );
      await waitFor(
        'both streams at the resolution',
        async () => ['a', 'b'].every((name) => bookChanges(streams[name as 'a' | 'b'].items).length >= 3),
        30_000,
      );
      // Both replicas stream the same changes of it, once each.
      for (const name of ['a', 'b'] as const)
        expect(bookChanges(streams[name].items)).toEqual([`fired ${id}`, `acked ${id}`, `resolved ${id}`]);
    } finally {
      for (const stream of Object.values(streams)) stream.stop();
    }
  }, 240_000);

  it('counts failed logins on both replicas against one limit', async () => {
    // 5 failures per account: alternate the replicas, then both refuse even the 6th try.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const target = attempt % 2 === 0 ? replica('a').url : replica('b').url;
      expect(await login(target, 'mallory', `guess-${attempt}-long-enough`)).toBe(401);
    }
    expect(await login(replica('a').url, 'mallory', 'guess-6-long-enough')).toBe(429);
    expect(await login(replica('b').url, 'mallory', 'guess-7-long-enough')).toBe(429);
    expect(await login(haproxy!.url, 'mallory', 'guess-8-long-enough')).toBe(429);
    // Other accounts are untouched.
    expect(await login(haproxy!.url, 'admin', 'tierscope-test-admin-password')).toBe(200);

    // A burst of guesses at once, half on each replica: still no more than 5 are checked.
    const burst = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        login(i % 2 === 0 ? replica('a').url : replica('b').url, 'trudy', `burst-guess-${i}-long-enough`),
      ),
    );
    expect(burst.filter((status) => status !== 401 && status !== 429)).toEqual([]);
    const checkedInBurst = burst.filter((status) => status === 401).length;
    expect(checkedInBurst).toBeLessThanOrEqual(5);
    // Guesses one by one through the proxy until refused: the account gets exactly 5 checked in all.
    let checkedAfter = 0;
    while (
      checkedAfter <= 5 &&
      (await login(haproxy!.url, 'trudy', `later-guess-${checkedAfter}-long`)) === 401
    )
      checkedAfter += 1;
    expect(checkedInBurst + checkedAfter).toBe(5);
    console.info(
      `login burst over two replicas: ${checkedInBurst} of 10 checked, ${checkedAfter} more one by one`,
    );
  });

  it('keeps one audit chain when both replicas append at the same time', async () => {
    const clients = [await adminOn('a'), await adminOn('b')];
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        clients[i % 2]!.console.users.create.mutate({
          name: `viewer-${i}`,
          role: 'viewer',
          password: `first-password-of-viewer-${i}`,
        }),
      ),
    );
    const report = await clients[1]!.console.audit.verify.query();
    expect(report).toMatchObject({ ok: true });
    const created = await clients[0]!.console.audit.list.query({ action: 'user.create', limit: 100 });
    expect(created.items.filter((e) => e.target.startsWith('viewer-'))).toHaveLength(12);
    console.info(`audit chain: ${report.checked} entries checked, written by two replicas`);
  }, 120_000);
});
