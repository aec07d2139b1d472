import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, httpBatchStreamLink, TRPCClientError, type TRPCClient } from '@trpc/client';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashNodeToken, newNodeToken } from '@tierscope/federation';
import {
  devicesCsv,
  type ConsoleApiRouter,
  type DeviceImportEvent,
  type DeviceImportResult,
} from '@tierscope/shared';
import {
  fetchAs,
  loginToConsole,
  spawnBff,
  spawnTestNode,
  waitFor,
  waitForNodesUp,
  waitReady,
  type TierProcess,
} from './testing/processes.ts';

/*
 * Provisioning through the BFF to nodes that refuse anonymous devices (DEVICE_AUTH=required):
 *
 *   bff ─┬─ district-1 ── probe-a
 *        └─ probe-b
 *
 * A CSV of 10 000 devices with 5 bad rows, split over both probes; then create, rotate, quarantine
 * and release, each routed to the owning probe.
 */
const READY_TIMEOUT_MS = 200_000;
const DEVICES = 10_000;
const PROBES = ['district-1/probe-a', 'probe-b'] as const;

const dataDir = mkdtempSync(join(tmpdir(), 'tierscope-provision-'));
const tiers: TierProcess[] = [];
const tokens = { district: newNodeToken(), a: newNodeToken(), b: newNodeToken() };
const brokers = new Map<string, string>();
let admin: TRPCClient<ConsoleApiRouter>;

type ImportedDevice = Parameters<typeof devicesCsv>[0][number];

/** The file: device i on probe-a when even, probe-b when odd; five rows broken, each another way. */
function importFile(): { csv: string; badLines: number[] } {
  const devices: ImportedDevice[] = Array.from({ length: DEVICES }, (_, i) => ({
    id: `imp-${String(i).padStart(5, '0')}`,
    name: `Imported ${i}`,
    kind: 'meter',
    site: `s${i % 7}`,
    labels: { batch: 'b1' },
    nodePath: String(PROBES[i % 2]),
  }));
  // Line n + 2 holds device n (line 1 is the header).
  const broken: Record<number, Partial<ImportedDevice>> = {
    10: { id: 'bad id' },
    2000: { name: '' },
    4000: { labels: { 'bad key!': 'x' } },
    6000: { nodePath: 'Not/A/Path' },
    8000: { id: 'imp-00000', nodePath: PROBES[0] },
  };
  for (const [at, change] of Object.entries(broken)) Object.assign(devices[Number(at)]!, change);
  return { csv: devicesCsv(devices), badLines: Object.keys(broken).map((at) => Number(at) + 2) };
}

async function importCsv(csv: string, importValidRows: boolean) {
  const events: DeviceImportEvent[] = [];
  for await (const event of await admin.devices.importCsv.mutate({ csv, importValidRows }))
    events.push(event);
  const result = events.at(-1);
  if (result?.kind !== 'result') throw new Error('the import ended without a result');
  return { progress: events.filter((event) => event.kind === 'progress'), result };
}

/** Logs in to the probe's broker as the device and publishes one sample; resolves whether it was taken. */
async function publishAs(
  nodePath: string,
  username: string,
  password: string,
  value: number,
): Promise<boolean> {
  const client = await mqtt
    .connectAsync(brokers.get(nodePath)!, { username, password, clientId: username, reconnectPeriod: 0 })
    .catch(() => undefined);
  if (!client) return false;
  await client.publishAsync(`devices/${username}/telemetry`, JSON.stringify({ metrics: { level: value } }), {
    qos: 1,
  });
  await client.endAsync();
  return true;
}

async function storedLevel(nodePath: string, deviceId: string): Promise<number | undefined> {
  const latest = await admin.metrics.latest.query({ nodePath, deviceId }).catch(() => undefined);
  return latest?.values.level?.value;
}

beforeAll(async () => {
  const probe = async (id: string, token: string) => {
    const tier = await spawnTestNode(id, dataDir, {
      DEVICE_AUTH: 'required',
      PARENT_TOKEN_HASHES: hashNodeToken(token),
    });
    tiers.push(tier);
    return tier;
  };
  const [probeA, probeB] = await Promise.all([probe('probe-a', tokens.a), probe('probe-b', tokens.b)]);
  brokers.set(PROBES[0], probeA.mqttUrl).set(PROBES[1], probeB.mqttUrl);
  const district = await spawnTestNode('district-1', dataDir, {
    CHILDREN: `probe-a=${probeA.url}`,
    CHILD_TOKENS: `probe-a=${tokens.a}`,
    PARENT_TOKEN_HASHES: hashNodeToken(tokens.district),
  });
  tiers.push(district);
  const bff = await spawnBff({
    CHILDREN: `district-1=${district.url},probe-b=${probeB.url}`,
    CHILD_TOKENS: `district-1=${tokens.district},probe-b=${tokens.b}`,
    WEB_DIST: join(dataDir, 'no-console-here'),
  });
  tiers.push(bff);
  await Promise.all(tiers.map((tier) => waitReady(tier, READY_TIMEOUT_MS)));
  const session = await loginToConsole(bff.url);
  // importCsv streams its answer: the console's link (httpBatchStreamLink) reads it.
  admin = createTRPCClient<ConsoleApiRouter>({
    links: [httpBatchStreamLink({ url: `${bff.url}/trpc`, fetch: fetchAs(session) })],
  });
  await waitForNodesUp(() => admin.node.info.query(), 3, READY_TIMEOUT_MS);
}, READY_TIMEOUT_MS * 2);

afterAll(async () => {
  await Promise.all(tiers.map((tier) => tier.stop('SIGTERM', 15_000)));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('provisioning through the BFF onto nodes that refuse anonymous devices', () => {
  const { csv, badLines } = importFile();
  let imported: DeviceImportResult | undefined;

  it('reports the 5 bad rows by line and imports nothing from the file', async () => {
    const { result } = await importCsv(csv, false);
    expect(result.imported).toBe(false);
    expect([...new Set(result.errors.map((error) => error.line))]).toEqual(badLines);
    expect(result.errors.map((error) => error.column)).toEqual(['id', 'name', 'labels', 'nodePath', 'id']);
    expect(result.counts).toEqual({ rows: DEVICES, invalid: 5, created: 0, refused: 0 });
    expect((await admin.devices.count.query({})).total).toBe(0);
  });

  // A probe on PGlite storing batches back to back used to miss its parent's heartbeats and have its
  // later batches refused as unreachable (docs/decisions/0032-a-busy-child-is-alive.md).
  it('with importValidRows makes the 9,995 others on their nodes, with progress along the way', async () => {
    const { progress, result } = await importCsv(csv, true);
    imported = result;
    expect(result.counts).toEqual({ rows: DEVICES, invalid: 5, created: DEVICES - 5, refused: 0 });
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toMatchObject({ total: DEVICES - 5, done: DEVICES - 5 });
    const counts = await Promise.all(PROBES.map((nodePath) => admin.devices.count.query({ nodePath })));
    expect(counts.map((count) => count.total)).toEqual([4995, 5000]);
    const device = await admin.devices.get.query({ nodePath: PROBES[1], deviceId: 'imp-00001' });
    expect(device).toMatchObject({ name: 'Imported 1', kind: 'meter', site: 's1', labels: { batch: 'b1' } });
  });

  it('gives every device a login that works: a sample of them logs in and its samples are stored', async () => {
    const sample = imported!.created.filter((_, i) => i % 1000 === 0);
    expect(new Set(sample.map((row) => row.nodePath))).toEqual(new Set(PROBES));
    for (const [i, row] of sample.entries())
      expect(await publishAs(row.nodePath, row.username, row.password, i)).toBe(true);
    for (const [i, row] of sample.entries())
      await waitFor(
        `${row.deviceId}'s sample stored`,
        async () => (await storedLevel(row.nodePath, row.deviceId)) === i,
      );
    const [first] = sample;
    expect(await publishAs(first!.nodePath, first!.username, `${first!.password}x`, 0)).toBe(false);
  });

  it('refuses a second import of the same devices row by row: they have credentials already', async () => {
    const again = devicesCsv([{ id: 'imp-00002', name: 'Again', nodePath: PROBES[0] }]);
    const { result } = await importCsv(again, false);
    expect(result.refused).toEqual([
      expect.objectContaining({
        line: 2,
        deviceId: 'imp-00002',
        nodePath: PROBES[0],
        message: expect.stringContaining('rotate') as unknown,
      }),
    ]);
  });

  it('creates a device on a chosen node, rotates, quarantines and releases it, each routed to its owner', async () => {
    const nodePath = PROBES[0];
    const made = await admin.devices.create.mutate({
      nodePath,
      deviceId: 'made-1',
      name: 'Made',
      kind: 'pump',
    });
    expect(made).toMatchObject({ nodePath, deviceId: 'made-1', username: 'made-1' });
    expect(await publishAs(nodePath, 'made-1', made.password, 1)).toBe(true);
    const created = admin.devices.create.mutate({ nodePath, deviceId: 'made-1', name: 'Made' });
    await expect(created).rejects.toBeInstanceOf(TRPCClientError);

    const rotated = await admin.devices.rotateCredentials.mutate({ nodePath, deviceId: 'made-1' });
    expect(await publishAs(nodePath, 'made-1', made.password, 2)).toBe(false);
    expect(await publishAs(nodePath, 'made-1', rotated.password, 3)).toBe(true);

    const quarantined = await admin.devices.quarantine.mutate({
      nodePath,
      deviceId: 'made-1',
      reason: 'test',
    });
    expect(quarantined.quarantine).toMatchObject({ reason: 'test' });
    expect(await publishAs(nodePath, 'made-1', rotated.password, 4)).toBe(false);
    const released = await admin.devices.release.mutate({ nodePath, deviceId: 'made-1' });
    expect(released.quarantine).toBeUndefined();
    expect(await publishAs(nodePath, 'made-1', rotated.password, 5)).toBe(true);
    await waitFor('made-1 stores samples again', async () => (await storedLevel(nodePath, 'made-1')) === 5);
  });

  it('audits who made which device and never a password', async () => {
    const { items } = await admin.console.audit.list.query({ limit: 50 });
    const actions = items.map((entry) => entry.action);
    expect(actions).toEqual(
      expect.arrayContaining(['device.import', 'device.create', 'device.credentials.rotate']),
    );
    expect(items.find((entry) => entry.action === 'device.create')).toMatchObject({
      target: `${PROBES[0]}/made-1`,
    });
    const logged = JSON.stringify(items);
    for (const secret of (imported?.created ?? []).slice(0, 50).map((row) => row.password))
      expect(logged).not.toContain(secret);
  });
});
