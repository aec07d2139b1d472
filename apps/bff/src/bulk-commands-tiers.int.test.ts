import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TRPCClient } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyContent, type CommandJob, type ConsoleApiRouter } from '@tierscope/shared';
import { startCommandResponder, type CommandResponder } from '@tierscope/test-support/command-responder';
import { DEMO_COMMANDS } from '@tierscope/test-support/demo-policy';
import { nodeApi, startProbeTree, waitFor, type NodeProcess, type TierProcess } from './testing/processes.ts';

/*
 * A bulk command through the BFF (devices.commandMany), read back by its job (devices.commandJob):
 *
 *   bff ─┬─ district-1 ─┬─ probe-a   (its devices answer)
 *        │              └─ probe-b   (its devices answer)
 *        └─ probe-c                  (stopped before the command)
 */
const READY_TIMEOUT_MS = 200_000;
const DEVICES_PER_PROBE = 40;
const KIND = 'power-meter';
const OTHER_KIND = 'gateway';

/** The demo's commands for one kind; the other kind declares none. */
const POLICY = PolicyContent.parse({
  bundles: [{ name: 'bulk-commands', target: '**', commands: { [KIND]: DEMO_COMMANDS['power-meter'] } }],
});

const dataDir = mkdtempSync(join(tmpdir(), 'tierscope-bulk-commands-'));
let tiers: TierProcess[] = [];
const responders: CommandResponder[] = [];
let probes: Record<'a' | 'b' | 'c', NodeProcess>;
let operator: TRPCClient<ConsoleApiRouter>;

beforeAll(async () => {
  ({ probes, tiers, operator } = await startProbeTree(dataDir, READY_TIMEOUT_MS));

  // Each probe: DEVICES_PER_PROBE meters and one gateway (a kind that declares no command).
  for (const [id, probe] of Object.entries(probes)) {
    const api = nodeApi(probe);
    for (let d = 0; d < DEVICES_PER_PROBE; d++)
      await api.devices.upsert.mutate({ deviceId: `${id}-m${d}`, kind: KIND, site: 'north' });
    await api.devices.upsert.mutate({ deviceId: `${id}-gw`, kind: OTHER_KIND, site: 'north' });
  }
  const published = await operator.policy.publish.mutate({ content: POLICY, comment: 'bulk commands' });
  await waitFor(
    'every probe applied the commands',
    async () => {
      const status = await operator.policy.status.query({});
      return ['district-1/probe-a', 'district-1/probe-b', 'probe-c'].every((path) => {
        const node = status.nodes.find((n) => n.path === path);
        return node?.state === 'applied' && node.appliedVersion === published.version;
      });
    },
    READY_TIMEOUT_MS,
  );
  for (const probe of [probes.a, probes.b])
    responders.push(await startCommandResponder(probe.mqttUrl, `bulk-devices-${probe.id}`));
  await probes.c.stop('SIGTERM', 15_000);
}, READY_TIMEOUT_MS * 2);

afterAll(async () => {
  await Promise.all(responders.map((responder) => responder.stop()));
  await Promise.all(tiers.map((tier) => tier.stop('SIGTERM', 15_000)));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a bulk command through the BFF', () => {
  let job: CommandJob;

  it('stores a command for each selected device on the probes that answer, and names the stopped one', async () => {
    job = await operator.devices.commandMany.mutate({
      selector: { site: 'north' },
      name: 'identify',
      params: { seconds: 2 },
    });
    expect(job.counts.total).toBe(2 * DEVICES_PER_PROBE);
    expect(new Set(job.items.map((item) => item.nodePath))).toEqual(
      new Set(['district-1/probe-a', 'district-1/probe-b']),
    );
    // The gateways' kind declares no such command: named, not sent.
    expect(job.refused.map((row) => `${row.nodePath}/${row.deviceId}`).sort()).toEqual([
      'district-1/probe-a/a-gw',
      'district-1/probe-b/b-gw',
    ]);
    // Every node was asked (the district too: a tier has devices of its own); only probe-c is missing.
    const missing = job.coverage.nodes.filter((node) => node.state !== 'ok').map((node) => node.path);
    expect(missing).toEqual(['probe-c']);
    expect(job.coverage.answered).toBe(job.coverage.asked - 1);
  });

  it('reads every outcome back by its job id, and the counts add up', async () => {
    let read: CommandJob | undefined;
    await waitFor('every command of the job settled', async () => {
      read = await operator.devices.commandJob.query({ jobId: job.jobId });
      return read.counts.byState.succeeded === 2 * DEVICES_PER_PROBE;
    });
    const counts = read!.counts;
    expect(Object.values(counts.byState).reduce((sum, n) => sum + n, 0)).toBe(counts.total);
    expect(read!.items.map((item) => item.commandId).sort()).toEqual(
      job.items.map((item) => item.commandId).sort(),
    );
    expect(read!.coverage.nodes.find((node) => node.path === 'probe-c')?.state).not.toBe('ok');
  });

  it('selects within a subtree and by device id', async () => {
    const one = await operator.devices.commandMany.mutate({
      selector: { nodePath: 'district-1/probe-b', deviceIds: ['b-m1', 'b-m2', 'a-m1'] },
      name: 'identify',
    });
    expect(one.items.map((item) => `${item.nodePath}/${item.deviceId}`)).toEqual([
      'district-1/probe-b/b-m1',
      'district-1/probe-b/b-m2',
    ]);
    expect(one.coverage.nodes.map((node) => [node.path, node.state])).toEqual([['district-1/probe-b', 'ok']]);
  });
});
