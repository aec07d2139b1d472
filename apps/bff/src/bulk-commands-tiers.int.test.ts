import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TRPCClient } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  OPEN_COMMAND_STATES,
  PolicyContent,
  type CommandJob,
  type ConsoleApiRouter,
  type ProvisionRow,
} from '@tierscope/shared';
import { startCommandResponder, type CommandResponder } from '@tierscope/test-support/command-responder';
import { DEMO_COMMANDS } from '@tierscope/test-support/demo-policy';
import { tierBackends, type TierBackend } from '@tierscope/test-support/tier-backends';
import { startProbeTree, waitFor, type NodeProcess, type TierProcess } from './testing/processes.ts';

/*
 * A bulk command to 1,000 devices through the BFF (devices.commandMany), read back by its job
 * (devices.commandJob), issue 15's done-when 2; on PGlite with embedded brokers and again on
 * PostgreSQL with a Mosquitto per node:
 *
 *   bff ─┬─ district-1 ─┬─ probe-a   (its devices answer)
 *        │              ├─ probe-b   (its devices answer)
 *        │              └─ probe-d   (its devices answer)
 *        └─ probe-c                  (stopped before the command)
 *
 * Each probe has 250 meters and one gateway, a kind that declares no command. The BFF read probe-c's
 * roster when its devices were provisioned through it, so the job names them `unreachable`.
 */
const READY_TIMEOUT_MS = 200_000;
/** How long 750 commands may take to settle on a busy 2-core host (a bound, not a figure). */
const SETTLE_TIMEOUT_MS = 90_000;
const METERS_PER_PROBE = 250;
const KIND = 'power-meter';
const OTHER_KIND = 'gateway';
const PROBE_PATHS = {
  a: 'district-1/probe-a',
  b: 'district-1/probe-b',
  c: 'probe-c',
  d: 'district-1/probe-d',
} as const;
const ANSWERING = [PROBE_PATHS.a, PROBE_PATHS.b, PROBE_PATHS.d];
const STOPPED = PROBE_PATHS.c;

/** The demo's commands for one kind; the other kind declares none. */
const POLICY = PolicyContent.parse({
  bundles: [{ name: 'bulk-commands', target: '**', commands: { [KIND]: DEMO_COMMANDS['power-meter'] } }],
});

/** A probe's devices as one provisioning batch: its meters, then its gateway. */
function probeDevices(letter: string): ProvisionRow[] {
  const meters = Array.from({ length: METERS_PER_PROBE }, (_, m) => ({
    deviceId: `${letter}-m${m}`,
    name: `meter ${m} of probe ${letter}`,
    kind: KIND,
  }));
  return [...meters, { deviceId: `${letter}-gw`, name: `gateway of probe ${letter}`, kind: OTHER_KIND }].map(
    (device, index) => ({ ...device, site: 'north', labels: {}, line: index + 2 }),
  );
}

/** The stopped probe's gateway: selected by site from the roster, its kind unknown to take the command. */
const STOPPED_GATEWAY = 'probe-c/c-gw';

/** Every meter of the tree, `nodePath/deviceId`: the 1,000 devices the command is meant for. */
const FLEET = Object.entries(PROBE_PATHS).flatMap(([letter, path]) =>
  Array.from({ length: METERS_PER_PROBE }, (_, m) => `${path}/${letter}-m${m}`),
);

describe.each(tierBackends())('a bulk command to 1,000 devices through the BFF on $name', ({ create }) => {
  let dataDir: string;
  let backend: TierBackend;
  let tiers: TierProcess[] = [];
  const responders: CommandResponder[] = [];
  let probes: Record<'a' | 'b' | 'c', NodeProcess> & { d?: NodeProcess };
  let operator: TRPCClient<ConsoleApiRouter>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tierscope-bulk-commands-'));
    backend = create();
    ({ probes, tiers, operator } = await startProbeTree(dataDir, READY_TIMEOUT_MS, {
      backend,
      probeD: true,
    }));

    // One provisioning batch per probe, through the BFF.
    for (const [letter, nodePath] of Object.entries(PROBE_PATHS)) {
      const made = await operator.devices.provision.mutate({ nodePath, devices: probeDevices(letter) });
      expect(made.refused).toEqual([]);
    }
    const counted = await operator.devices.count.query({ kind: KIND, site: 'north' });
    expect(counted.total).toBe(FLEET.length);

    const published = await operator.policy.publish.mutate({ content: POLICY, comment: 'bulk commands' });
    await waitFor(
      'every probe applied the commands',
      async () => {
        const status = await operator.policy.status.query({});
        return Object.values(PROBE_PATHS).every((path) => {
          const node = status.nodes.find((n) => n.path === path);
          return node?.state === 'applied' && node.appliedVersion === published.version;
        });
      },
      READY_TIMEOUT_MS,
    );
    for (const probe of [probes.a, probes.b, probes.d!])
      responders.push(await startCommandResponder(probe.mqttUrl, `bulk-devices-${probe.id}`));
    await probes.c.stop('SIGTERM', 15_000);
  }, READY_TIMEOUT_MS * 2);

  afterAll(async () => {
    await Promise.all(responders.splice(0).map((responder) => responder.stop()));
    await Promise.all(tiers.map((tier) => tier.stop('SIGTERM', 15_000)));
    await backend.release();
    rmSync(dataDir, { recursive: true, force: true });
  });

  let job: CommandJob;

  it('stores a command for each selected device on the probes that answer, and names the stopped one', async () => {
    job = await operator.devices.commandMany.mutate({
      selector: { site: 'north' },
      name: 'identify',
      params: { seconds: 2 },
    });
    // The answering probes' meters got commands; probe-c's devices are named from the BFF's roster
    // of it, its gateway too: whether a kind takes the command is the owning probe's to say.
    expect(job.counts.total).toBe(FLEET.length + 1);
    for (const path of ANSWERING)
      expect(job.items.filter((item) => item.nodePath === path && item.commandId !== null)).toHaveLength(
        METERS_PER_PROBE,
      );
    expect(job.counts.byState.unreachable).toBe(METERS_PER_PROBE + 1);
    // The gateways' kind declares no such command: named, not sent.
    expect(job.refused.map((row) => `${row.nodePath}/${row.deviceId}`).sort()).toEqual([
      'district-1/probe-a/a-gw',
      'district-1/probe-b/b-gw',
      'district-1/probe-d/d-gw',
    ]);
    // Every node was asked (the district too: a tier has devices of its own); only probe-c is missing.
    const missing = job.coverage.nodes.filter((node) => node.state !== 'ok');
    expect(missing.map((node) => [node.path, node.state])).toEqual([[STOPPED, 'unreachable']]);
    expect(job.coverage.answered).toBe(job.coverage.asked - 1);
    expect(job.rosters.map((roster) => roster.nodePath)).toEqual([STOPPED]);
    expect(job.rosters[0]?.lastKnownAt).toBeGreaterThan(0);
  });

  it('reads every outcome back by its job id: each device settled or named unreachable, counts adding up', async () => {
    let read: CommandJob | undefined;
    await waitFor(
      'every command of the job settled',
      async () => {
        read = await operator.devices.commandJob.query({ jobId: job.jobId });
        return (
          read.counts.total === job.counts.total &&
          OPEN_COMMAND_STATES.every((state) => (read!.counts.byState[state] ?? 0) === 0)
        );
      },
      SETTLE_TIMEOUT_MS,
    );
    const { counts, items, coverage, rosters } = read!;
    expect(items.map((item) => item.commandId).sort()).toEqual(
      job.items.map((item) => item.commandId).sort(),
    );
    expect(Object.values(counts.byState).reduce((sum, n) => sum + n, 0)).toBe(counts.total);
    expect(counts.total).toBe(items.length);

    // Every device of the fleet is in the job once, by id: settled, or on the stopped probe, unreachable.
    expect(items.map((item) => `${item.nodePath}/${item.deviceId}`).sort()).toEqual(
      [...FLEET, STOPPED_GATEWAY].sort(),
    );
    const tally: Record<string, number> = {};
    for (const item of items) {
      const key = `${item.nodePath}:${item.state}`;
      tally[key] = (tally[key] ?? 0) + 1;
    }
    expect(tally).toEqual({
      ...Object.fromEntries(ANSWERING.map((path) => [`${path}:succeeded`, METERS_PER_PROBE])),
      [`${STOPPED}:unreachable`]: METERS_PER_PROBE + 1,
    });
    expect(counts.byState).toMatchObject({
      succeeded: ANSWERING.length * METERS_PER_PROBE,
      unreachable: METERS_PER_PROBE + 1,
    });
    // Each unreachable item says why and as of when; the stopped probe is still named in the coverage.
    const lastKnownAt = rosters.find((roster) => roster.nodePath === STOPPED)?.lastKnownAt;
    expect(lastKnownAt).toEqual(expect.any(Number));
    for (const item of items.filter((i) => i.state === 'unreachable')) {
      expect(item.commandId).toBeNull();
      expect(item.error).toContain(`last known at ${new Date(lastKnownAt!).toISOString()}`);
    }
    expect(coverage.nodes.filter((node) => node.state !== 'ok').map((node) => node.path)).toEqual([STOPPED]);
    // Each of the three answering probes' devices answered once, over real MQTT.
    expect(responders.map((responder) => responder.answered)).toEqual([
      METERS_PER_PROBE,
      METERS_PER_PROBE,
      METERS_PER_PROBE,
    ]);
  });

  it('selects within a subtree and by device id', async () => {
    const one = await operator.devices.commandMany.mutate({
      selector: { nodePath: PROBE_PATHS.b, deviceIds: ['b-m1', 'b-m2', 'a-m1'] },
      name: 'identify',
    });
    expect(one.items.map((item) => `${item.nodePath}/${item.deviceId}`)).toEqual([
      'district-1/probe-b/b-m1',
      'district-1/probe-b/b-m2',
    ]);
    expect(one.coverage.nodes.map((node) => [node.path, node.state])).toEqual([[PROBE_PATHS.b, 'ok']]);
  });
});
