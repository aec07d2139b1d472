import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TRPCClient } from '@trpc/client';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  configReportedTopic,
  type ConfigCounts,
  type ConfigListItem,
  type ConsoleApiRouter,
} from '@tierscope/shared';
import { SIMULATOR_MAIN, spawnProcess, type SpawnedProcess } from '@tierscope/test-support/processes';
import { nodeApi, startProbeTree, waitFor, type NodeProcess, type TierProcess } from './testing/processes.ts';

/*
 * Desired configuration by selector through the BFF (devices.setConfig), watched by its states
 * (devices.configCounts, devices.configs) while simulated devices take it from the broker:
 *
 *   bff ─┬─ district-1 ─┬─ probe-a   (50 simulated devices, one of which never applies)
 *        │              └─ probe-b   (50 simulated devices)
 *        └─ probe-c                  (stopped before the change)
 */
const READY_TIMEOUT_MS = 300_000;
const DEVICES_PER_PROBE = 50;
/** Short, so the test sees pending turn into drifted. */
const GRACE_MS = 4000;
/** The ids the simulator gives `--devices 50 --sites 1 --kinds power-meter`. */
const simulatedId = (n: number) => `sim-s01-power-meter-${n}`;
const NEVER_APPLIES = simulatedId(7);
const DESIRED = { intervalSeconds: 30, mode: 'eco', thresholds: { tempHigh: 28 } };

const dataDir = mkdtempSync(join(tmpdir(), 'tierscope-device-config-'));
let tiers: TierProcess[] = [];
const simulators: SpawnedProcess[] = [];
let probes: Record<'a' | 'b' | 'c', NodeProcess>;
let operator: TRPCClient<ConsoleApiRouter>;

/** Every configured device of the tree in one state, read page by page. */
async function listAll(state: ConfigListItem['state']): Promise<ConfigListItem[]> {
  const items: ConfigListItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await operator.devices.configs.query({ state, limit: 60, ...(cursor && { cursor }) });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

const countsOf = (counts: ConfigCounts) => ({ total: counts.total, ...counts.byState });

beforeAll(async () => {
  ({ probes, tiers, operator } = await startProbeTree(dataDir, READY_TIMEOUT_MS, {
    probeEnv: { CONFIG_GRACE_MS: String(GRACE_MS) },
  }));

  // The simulated devices, registered before they run, at site north; one more device elsewhere.
  for (const probe of [probes.a, probes.b]) {
    const api = nodeApi(probe);
    for (let n = 1; n <= DEVICES_PER_PROBE; n++)
      await api.devices.upsert.mutate({ deviceId: simulatedId(n), kind: 'power-meter', site: 'north' });
  }
  await nodeApi(probes.a).devices.upsert.mutate({ deviceId: 'a-south-1', site: 'south' });
  await probes.c.stop('SIGTERM', 15_000);
}, READY_TIMEOUT_MS * 2);

afterAll(async () => {
  await Promise.all(simulators.map((simulator) => simulator.stop('SIGTERM', 15_000)));
  await Promise.all(tiers.map((tier) => tier.stop('SIGTERM', 15_000)));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('desired configuration by selector through the BFF', () => {
  it('gives each selected device version 1 on the probes that answer, and names the stopped one', async () => {
    const change = await operator.devices.setConfig.mutate({ selector: { site: 'north' }, config: DESIRED });
    expect(change.total).toBe(2 * DEVICES_PER_PROBE);
    expect(change.items.every((item) => item.version === 1)).toBe(true);
    expect(new Set(change.items.map((item) => item.nodePath))).toEqual(
      new Set(['district-1/probe-a', 'district-1/probe-b']),
    );
    expect(change.items.some((item) => item.deviceId === 'a-south-1')).toBe(false);
    const missing = change.coverage.nodes.filter((node) => node.state !== 'ok').map((node) => node.path);
    expect(missing).toEqual(['probe-c']);
  });

  it('shows the devices pending, then drifted past the grace period, while none has reported', async () => {
    const early = countsOf(await operator.devices.configCounts.query({}));
    expect(early.total).toBe(2 * DEVICES_PER_PROBE);
    expect(early.in_sync).toBe(0);
    expect(early.pending + early.drifted).toBe(2 * DEVICES_PER_PROBE);
    await waitFor('every device drifted', async () => {
      const counts = await operator.devices.configCounts.query({});
      return counts.byState.drifted === 2 * DEVICES_PER_PROBE;
    });
    const drifted = await listAll('drifted');
    expect(drifted).toHaveLength(2 * DEVICES_PER_PROBE);
    expect(drifted.every((item) => item.reportedVersion === null && item.desiredVersion === 1)).toBe(true);
  });

  it('turns in sync as the simulated devices take the retained configuration and report it; one never does', async () => {
    for (const probe of [probes.a, probes.b]) {
      const simulator = spawnProcess({
        name: `simulator-${probe.id}`,
        entry: SIMULATOR_MAIN,
        args: [
          ...['--url', probe.mqttUrl, '--devices', String(DEVICES_PER_PROBE), '--sites', '1'],
          ...['--kinds', 'power-meter', '--rate', '0.2', '--excursions', '0', '--seed', '5'],
          ...(probe === probes.a ? ['--never-apply', NEVER_APPLIES] : []),
        ],
      });
      simulators.push(simulator);
    }
    await waitFor('every device but one in sync', async () => {
      const counts = await operator.devices.configCounts.query({});
      return counts.byState.in_sync === 2 * DEVICES_PER_PROBE - 1;
    });
    expect(countsOf(await operator.devices.configCounts.query({}))).toMatchObject({
      total: 2 * DEVICES_PER_PROBE,
      in_sync: 2 * DEVICES_PER_PROBE - 1,
      pending: 0,
      drifted: 1,
    });
    const drifted = await listAll('drifted');
    expect(drifted.map((item) => `${item.nodePath}/${item.id}`)).toEqual([
      `district-1/probe-a/${NEVER_APPLIES}`,
    ]);
    expect(await listAll('in_sync')).toHaveLength(2 * DEVICES_PER_PROBE - 1);
  });

  it('shows one device desired, reported, its state and the diff', async () => {
    const lagging = await operator.devices.config.query({
      nodePath: 'district-1/probe-a',
      deviceId: NEVER_APPLIES,
    });
    expect(lagging).toMatchObject({
      nodePath: 'district-1/probe-a',
      state: 'drifted',
      desired: { version: 1, config: DESIRED },
      reported: null,
      diff: null,
      graceMs: GRACE_MS,
    });
    expect(lagging.desired?.setBy).toMatch(/^user:/);
    const synced = await operator.devices.config.query({
      nodePath: 'district-1/probe-b',
      deviceId: simulatedId(3),
    });
    expect(synced).toMatchObject({
      state: 'in_sync',
      reported: { version: 1, ok: true, config: DESIRED },
      diff: [],
    });
  });

  it('a second version for one device converges to in sync', async () => {
    const next = { ...DESIRED, intervalSeconds: 10 };
    const ref = { nodePath: 'district-1/probe-b', deviceId: simulatedId(3) };
    const change = await operator.devices.setConfig.mutate({
      selector: { nodePath: ref.nodePath, deviceIds: [ref.deviceId] },
      config: next,
    });
    expect(change.items).toEqual([{ ...ref, version: 2 }]);
    await waitFor('version 2 applied', async () => {
      const config = await operator.devices.config.query(ref);
      return config.state === 'in_sync' && config.reported?.version === 2;
    });
  });

  it('dead-letters a report of a version never set and a malformed one, with the reason', async () => {
    const device = await mqtt.connectAsync(probes.b.mqttUrl, { clientId: 'config-forger' });
    try {
      await device.publishAsync(configReportedTopic(simulatedId(9)), JSON.stringify({ version: 99 }), {
        qos: 1,
      });
      await device.publishAsync(configReportedTopic(simulatedId(9)), JSON.stringify({ version: 'one' }), {
        qos: 1,
      });
    } finally {
      await device.endAsync();
    }
    await waitFor('both reports dead-lettered', async () => {
      const page = await operator.deadLetters.list.query({ nodePath: 'district-1/probe-b', limit: 50 });
      const forged = page.items.filter((item) => item.topic === configReportedTopic(simulatedId(9)));
      return forged.length === 2;
    });
    const page = await operator.deadLetters.list.query({ nodePath: 'district-1/probe-b', limit: 50 });
    const reasons = page.items
      .filter((item) => item.topic === configReportedTopic(simulatedId(9)))
      .map((item) => [item.reason, item.detail]);
    expect(reasons).toEqual(
      expect.arrayContaining([
        ['unknown-config', expect.stringContaining('reported config version 99; the newest set for it is 1')],
        ['invalid-payload', expect.stringContaining('version')],
      ]),
    );
    // The device's own report still stands.
    const config = await operator.devices.config.query({
      nodePath: 'district-1/probe-b',
      deviceId: simulatedId(9),
    });
    expect(config.state).toBe('in_sync');
  });
});
