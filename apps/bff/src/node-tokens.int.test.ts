import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashNodeToken, newNodeToken, startUplink, type Uplink } from '@tierscope/federation';
import { nodeRouter, type ConsoleApiRouter, type NodeRouter, type NodeService } from '@tierscope/shared';
import {
  fetchAs,
  freePort,
  loginToConsole,
  spawnBff,
  spawnTestNode,
  waitFor,
  waitReady,
  type TierProcess,
} from './testing/processes.ts';

/*
 * Nodes that trust only their parents, over real processes on PGlite:
 *
 *   bff ─┬─ probe-p    dialled with its token (the probe keeps only the token's hash)
 *        ├─ probe-u1   dials the BFF's uplink with its token (the BFF keeps only the hash)
 *        └─ probe-u2   the same; its uplink must survive probe-u1's rotation
 */
const READY_TIMEOUT_MS = 100_000;

const dataDir = mkdtempSync(join(tmpdir(), 'tierscope-tokens-'));
const tiers: TierProcess[] = [];
const tokens = { p: newNodeToken(), u1: newNodeToken(), u2: newNodeToken() };
let bff: TierProcess;
let probeP: TierProcess;
let bffEnv: Record<string, string>;
let rotatedU1 = '';
let client: TRPCClient<ConsoleApiRouter>;

const trpc = (url: string, token?: string) =>
  createTRPCClient<NodeRouter>({
    links: [
      httpLink({ url: `${url}/trpc`, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) }),
    ],
  });

async function spawnProbe(id: string, env: Record<string, string>): Promise<TierProcess> {
  const tier = await spawnTestNode(id, dataDir, env);
  tiers.push(tier);
  return tier;
}

async function consoleClientOf(tier: TierProcess): Promise<TRPCClient<ConsoleApiRouter>> {
  const session = await loginToConsole(tier.url);
  return createTRPCClient<ConsoleApiRouter>({
    links: [httpLink({ url: `${tier.url}/trpc`, fetch: fetchAs(session) })],
  });
}

/** An uplink dialled from the test itself, to see whether `token` is let in as `childId`. */
function dialUplink(childId: string, token: string): Uplink {
  return startUplink({
    parentUrl: `ws://${new URL(bff.url).host}/uplink`,
    childId,
    token,
    router: nodeRouter,
    contextOf: () => ({
      node: {} as NodeService,
      actor: { kind: 'system', name: 'test', role: 'viewer' },
    }),
    backoff: { initialMs: 100, maxMs: 500 },
  });
}

async function childStates(): Promise<Record<string, string>> {
  const info = await client.node.info.query();
  return Object.fromEntries((info.children ?? []).map((c) => [c.path, c.state]));
}

beforeAll(async () => {
  const bffPort = await freePort();
  const uplinkUrl = `ws://127.0.0.1:${bffPort}/uplink`;
  probeP = await spawnProbe('probe-p', { PARENT_TOKEN_HASHES: hashNodeToken(tokens.p) });
  await waitReady(probeP, READY_TIMEOUT_MS);
  bffEnv = {
    HTTP_PORT: String(bffPort),
    // On disk: the restart test starts the BFF again on the same database.
    DATABASE_URL: `pglite:${join(dataDir, 'bff-db')}`,
    CHILDREN: `probe-p=${probeP.url}`,
    CHILD_TOKENS: `probe-p=${tokens.p}`,
    UPLINK_CHILDREN: `probe-u1=${hashNodeToken(tokens.u1)},probe-u2=${hashNodeToken(tokens.u2)}`,
    WEB_DIST: join(dataDir, 'no-console-here'),
  };
  bff = await spawnBff(bffEnv);
  tiers.push(bff);
  await waitReady(bff, READY_TIMEOUT_MS);
  const uplinked = await Promise.all([
    spawnProbe('probe-u1', { PARENT_UPLINK_URL: uplinkUrl, NODE_TOKEN: tokens.u1 }),
    spawnProbe('probe-u2', { PARENT_UPLINK_URL: uplinkUrl, NODE_TOKEN: tokens.u2 }),
  ]);
  await Promise.all(uplinked.map((t) => waitReady(t, READY_TIMEOUT_MS)));
  client = await consoleClientOf(bff);
  await waitFor(
    'every child up at the BFF',
    async () => Object.values(await childStates()).filter((s) => s === 'up').length === 3,
    60_000,
  );
}, 240_000);

afterAll(async () => {
  await Promise.all(tiers.map((t) => t.stop('SIGTERM')));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('node tokens', () => {
  it('refuses a call to a node without a valid parent token, and answers its parent', async () => {
    await expect(trpc(probeP.url).node.info.query()).rejects.toMatchObject({ data: { httpStatus: 401 } });
    await expect(trpc(probeP.url, newNodeToken()).node.info.query()).rejects.toMatchObject({
      data: { httpStatus: 401 },
    });
    expect((await trpc(probeP.url, tokens.p).node.info.query()).id).toBe('probe-p');
    const page = await client.devices.list.query({ limit: 1 });
    expect(page.coverage.nodes.find((n) => n.path === 'probe-p')?.state).toBe('ok');
  });

  it('rotates one uplink child’s token without dropping the others, and refuses a revoked one', async () => {
    const rotated = await client.node.rotateChildToken.mutate({ nodePath: 'probe-u1' });
    expect(rotated.nodePath).toBe('probe-u1');
    expect(rotated.token).not.toBe(tokens.u1);
    rotatedU1 = rotated.token;
    // probe-u1's socket is dropped and its old token no longer attaches it; probe-u2 stays.
    await waitFor(
      'probe-u1 down after the rotation',
      async () => (await childStates())['probe-u1'] === 'down',
      30_000,
    );
    const states = await childStates();
    expect(states['probe-u2']).toBe('up');
    expect(states['probe-p']).toBe('up');

    // A second probe-u1 process, given the new token, attaches (the first keeps dialling with the old one).
    const again = await spawnProbe('probe-u1b', {
      NODE_ID: 'probe-u1',
      PARENT_UPLINK_URL: `ws://${new URL(bff.url).host}/uplink`,
      NODE_TOKEN: rotated.token,
    });
    await waitReady(again, READY_TIMEOUT_MS);
    await waitFor(
      'probe-u1 up with its new token',
      async () => (await childStates())['probe-u1'] === 'up',
      30_000,
    );

    const revoked = await client.node.revokeChildToken.mutate({ nodePath: 'probe-u2' });
    expect(revoked).toEqual({ nodePath: 'probe-u2', revoked: true });
    await waitFor(
      'probe-u2 down after the revocation',
      async () => (await childStates())['probe-u2'] === 'down',
      30_000,
    );
    expect((await childStates())['probe-u1']).toBe('up');

    // Both changes are in the BFF's audit log, as the admin who made them; the tokens are not.
    const audited = await client.console.audit.list.query({ action: 'node.token.' });
    expect(audited.items.map((entry) => [entry.actor, entry.action, entry.target])).toEqual([
      ['admin', 'node.token.revoke', 'probe-u2'],
      ['admin', 'node.token.rotate', 'probe-u1'],
    ]);
    expect(JSON.stringify(audited)).not.toContain(rotated.token);
  }, 120_000);

  it('keeps a rotation and a revocation across a restart of the BFF', async () => {
    expect(rotatedU1).not.toBe('');
    await bff.stop('SIGTERM');
    tiers.splice(tiers.indexOf(bff), 1);
    bff = await spawnBff(bffEnv);
    tiers.push(bff);
    await waitReady(bff, READY_TIMEOUT_MS);
    client = await consoleClientOf(bff);

    const revokedU2 = dialUplink('probe-u2', tokens.u2);
    const oldU1 = dialUplink('probe-u1', tokens.u1);
    try {
      for (const [name, uplink] of [
        ['probe-u2 (revoked)', revokedU2],
        ['probe-u1 (replaced)', oldU1],
      ] as const) {
        await waitFor(`${name} refused`, async () => uplink.status().failedAttempts >= 2, 30_000);
        expect(uplink.status().lastError).toMatch(/401/);
      }
    } finally {
      await Promise.all([revokedU2.stop(), oldU1.stop()]);
    }
    // The probe-u1 process given the rotated token attaches again by itself.
    await waitFor('probe-u1 up again', async () => (await childStates())['probe-u1'] === 'up', 30_000);
  }, 120_000);

  it('refuses to rotate the token of a node that is not an uplink child', async () => {
    await expect(client.node.rotateChildToken.mutate({ nodePath: 'probe-zz' })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
  });
});
