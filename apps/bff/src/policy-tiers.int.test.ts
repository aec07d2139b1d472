import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeRouter, PolicyContent, PolicyStatus } from '@tierscope/shared';
import {
  fetchAs,
  freePort,
  loginToConsole,
  spawnBff,
  spawnTestNode,
  waitFor,
  waitReady,
  type NodeProcess,
  type TierProcess,
} from './testing/processes.ts';

/*
 * Fleet policy over ten real node processes in three tiers, dialled and uplink alike:
 *
 *   bff ─┬─ district-1 (dialled) ─┬─ probe-a  dialled   (the canary)
 *        │                        ├─ probe-b  dialled   (restarted on its stored policy)
 *        │                        ├─ probe-c  uplink
 *        │                        └─ probe-d  dialled
 *        └─ district-2 (uplink)  ─┬─ probe-e  dialled
 *                                 ├─ probe-f  uplink
 *                                 ├─ probe-g  dialled
 *                                 └─ probe-h  dialled   (offline until it returns by itself)
 */
const READY_TIMEOUT_MS = 120_000;
const CONVERGE_TIMEOUT_MS = 60_000;

const FLEET: PolicyContent = {
  bundles: [
    {
      name: 'fleet',
      target: '**',
      rules: [
        {
          id: 'hot',
          name: 'Too hot',
          severity: 'critical',
          enabled: true,
          scope: { devicePattern: '*', labels: {} },
          condition: { kind: 'threshold', metric: 'temp', operator: '>', value: 50, hysteresis: 0, forMs: 0 },
        },
      ],
      silences: [],
      routes: [],
      retention: { rawDays: 14 },
      declaredMetrics: ['temp'],
    },
  ],
};

/** A version no node can take: it routes notifications where no node's WEBHOOK_ALLOWLIST lets them go. */
const REFUSED_ROUTE: PolicyContent = {
  bundles: [
    {
      ...FLEET.bundles[0]!,
      routes: [
        {
          id: 'pager',
          url: 'http://10.99.0.1/hook',
          minSeverity: 'warning',
          sendResolved: true,
          timeoutMs: 5000,
        },
      ],
    },
  ],
};

let dataDir: string;
const processes = new Map<string, TierProcess>();
let bff: TierProcess;
let client: TRPCClient<NodeRouter>;
/** Where district-2 dials probe-h, which is not running at first. */
let probeHPort: number;
const tokens = { district2: token(), probeC: token(), probeF: token() };

function token(): string {
  return randomBytes(24).toString('base64url');
}

const LIVE = [
  'district-1',
  'district-1/probe-a',
  'district-1/probe-b',
  'district-1/probe-c',
  'district-1/probe-d',
  'district-2',
  'district-2/probe-e',
  'district-2/probe-f',
  'district-2/probe-g',
];
const OFFLINE = 'district-2/probe-h';

async function node(id: string, env: Record<string, string>): Promise<NodeProcess> {
  // On disk, so a restarted node finds what it stored.
  const started = await spawnTestNode(id, dataDir, {
    DATABASE_URL: `pglite:${join(dataDir, id, 'db')}`,
    ...env,
  });
  processes.set(id, started);
  return started;
}

async function status(): Promise<PolicyStatus> {
  return client.policy.status.query({});
}

/** Waits until every node of `paths` is in `state` with `version` applied. */
async function until(paths: readonly string[], state: string, version: number | null): Promise<PolicyStatus> {
  let last: PolicyStatus | undefined;
  await waitFor(
    `${paths.join(', ')} ${state} at v${version}`,
    async () => {
      last = await status();
      return paths.every((path) => {
        const node = last!.nodes.find((n) => n.path === path);
        return node?.state === state && node.appliedVersion === version;
      });
    },
    CONVERGE_TIMEOUT_MS,
  );
  return last!;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tierscope-policy-'));
  const [bffPort, district1Port] = await Promise.all([freePort(), freePort()]);
  const district2Port = await freePort();
  probeHPort = await freePort();
  const probes = await Promise.all([
    node('probe-a', {}),
    node('probe-b', {}),
    node('probe-c', {
      PARENT_UPLINK_URL: `ws://127.0.0.1:${district1Port}/uplink`,
      NODE_TOKEN: tokens.probeC,
    }),
    node('probe-d', {}),
    node('probe-e', {}),
    node('probe-f', {
      PARENT_UPLINK_URL: `ws://127.0.0.1:${district2Port}/uplink`,
      NODE_TOKEN: tokens.probeF,
    }),
    node('probe-g', {}),
  ]);
  const url = (id: string) => processes.get(id)!.url;
  const districts = await Promise.all([
    node('district-1', {
      HTTP_PORT: String(district1Port),
      CHILDREN: ['probe-a', 'probe-b', 'probe-d'].map((id) => `${id}=${url(id)}`).join(','),
      UPLINK_CHILDREN: `probe-c=${tokens.probeC}`,
      FEDERATION_DEADLINE_MS: '3000',
    }),
    node('district-2', {
      HTTP_PORT: String(district2Port),
      // probe-h's address is known; it is not running yet.
      CHILDREN: `probe-e=${url('probe-e')},probe-g=${url('probe-g')},probe-h=http://127.0.0.1:${probeHPort}`,
      UPLINK_CHILDREN: `probe-f=${tokens.probeF}`,
      PARENT_UPLINK_URL: `ws://127.0.0.1:${bffPort}/uplink`,
      NODE_TOKEN: tokens.district2,
      FEDERATION_DEADLINE_MS: '3000',
    }),
  ]);
  bff = await spawnBff({
    DATABASE_URL: 'pglite:memory',
    HTTP_PORT: String(bffPort),
    CHILDREN: `district-1=${url('district-1')}`,
    UPLINK_CHILDREN: `district-2=${tokens.district2}`,
    WEB_DIST: join(dataDir, 'no-console-here'),
  });
  processes.set('bff', bff);
  await Promise.all([...probes, ...districts, bff].map((tier) => waitReady(tier, READY_TIMEOUT_MS)));
  const session = await loginToConsole(bff.url);
  client = createTRPCClient<NodeRouter>({
    links: [httpLink({ url: `${bff.url}/trpc`, fetch: fetchAs(session) })],
  });
  await waitFor(
    'every live node known to the BFF',
    async () => {
      const known = new Set((await status()).nodes.map((n) => n.path));
      return LIVE.every((path) => known.has(path));
    },
    CONVERGE_TIMEOUT_MS,
  );
}, 300_000);

afterAll(async () => {
  await Promise.all([...processes.values()].map((tier) => tier.stop('SIGTERM')));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('fleet policy over ten nodes in three tiers', () => {
  it('is applied by the nine live nodes; the offline one shows unreachable', async () => {
    const published = await client.policy.publish.mutate({ content: FLEET, comment: 'fleet rules' });
    expect(published).toMatchObject({ version: 1, phase: 'released' });

    const converged = await until(LIVE, 'applied', 1);
    expect(converged.nodes.find((n) => n.path === OFFLINE)?.state).toBe('unreachable');
  });

  it('reaches the offline node by itself when it returns', async () => {
    const info = await client.node.info.query();
    const probeH = info.children
      ?.find((c) => c.path === 'district-2')
      ?.info?.children?.find((c) => c.path === 'district-2/probe-h');
    expect(probeH?.state).toBe('down');
    await waitReady(await node('probe-h', { HTTP_PORT: String(probeHPort) }), READY_TIMEOUT_MS);

    await until([OFFLINE], 'applied', 1);
  });

  it('halts a version the canary rejects, names the reason, and the others never take it', async () => {
    const published = await client.policy.publish.mutate({
      content: REFUSED_ROUTE,
      comment: 'page the on-call',
      canaries: ['district-1/probe-a'],
      canaryHoldMs: 1000,
    });
    expect(published).toMatchObject({ version: 2, phase: 'canary', previousVersion: 1 });

    let halted: PolicyStatus | undefined;
    await waitFor(
      'the rollout halted',
      async () => {
        halted = await status();
        return halted.current?.phase === 'halted';
      },
      CONVERGE_TIMEOUT_MS,
    );
    expect(halted!.current?.haltReason).toMatch(/canary district-1\/probe-a rejected v2: .*pager/);
    const canary = halted!.nodes.find((n) => n.path === 'district-1/probe-a');
    expect(canary).toMatchObject({ state: 'rejected', canary: true, appliedVersion: 1 });
    expect(canary?.rejection?.reason).toMatch(/pager/);
    const others = halted!.nodes.filter((n) => n.path !== 'district-1/probe-a');
    expect(others.every((n) => n.appliedVersion === 1 && n.desiredVersion === 1)).toBe(true);
  });

  it('rolls every node back to the earlier version in one action', async () => {
    const rolledBack = await client.policy.rollback.mutate({ version: 1 });
    expect(rolledBack).toMatchObject({ version: 3, rollbackOf: 1, phase: 'released' });

    await until([...LIVE, OFFLINE], 'applied', 3);
    const versions = await client.policy.versions.query({});
    expect(versions.versions.map((v) => [v.version, v.phase])).toEqual([
      [3, 'released'],
      [2, 'halted'],
      [1, 'released'],
    ]);
  });

  it('a node restarted with no parent runs its stored policy from its first sample', async () => {
    // No parent can hand probe-b anything: what it runs is what it stored.
    await processes.get('district-1')!.stop('SIGTERM');
    await processes.get('probe-b')!.stop('SIGTERM');
    const probeB = await node('probe-b', {});
    await waitReady(probeB, READY_TIMEOUT_MS);
    const direct = createTRPCClient<NodeRouter>({ links: [httpLink({ url: `${probeB.url}/trpc` })] });

    const info = await direct.node.info.query();
    expect(info.policy?.applied).toEqual([expect.objectContaining({ author: 'bff', version: 3 })]);
    const device = await mqtt.connectAsync(probeB.mqttUrl, { clientId: 'policy-test-device' });
    await device.publishAsync('devices/boiler-1/telemetry', JSON.stringify({ metrics: { temp: 99.5 } }), {
      qos: 1,
    });
    await device.endAsync();

    await waitFor(
      'the stored rule fired on the first sample',
      async () => {
        const alerts = await direct.alerts.list.query({ limit: 10 });
        return alerts.items.some(
          (a) => a.ruleId === 'hot' && a.deviceId === 'boiler-1' && a.state === 'firing',
        );
      },
      30_000,
    );
  });
});
