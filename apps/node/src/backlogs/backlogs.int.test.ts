// A probe cut off from its parent, as a real process: what it owes the parent rises while the
// parent is away, the drain stalls and raises the node's alert, and all of it drains when the
// parent calls again (issue 13, scenario 1 seen from the probe).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, httpLink } from '@trpc/client';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashNodeToken, newNodeToken } from '@tierscope/federation';
import type { NodeRouter } from '@tierscope/shared';
import { freePort, startNodeProcess, waitFor, type NodeProcess } from '../testing/node-process.ts';

const NODE_ID = 'probe-cut';

/** One gauge of the node's /metrics for the parent backlog; NaN when absent. */
async function parentGauge(node: NodeProcess, name: string): Promise<number> {
  const text = await (await fetch(`${node.httpUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{backlog="parent",name="dialled"}`));
  return line === undefined ? NaN : Number(line.split(' ').at(-1));
}

describe('a probe whose parent is away', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tierscope-backlogs-'));
  const token = newNodeToken();
  let node: NodeProcess;
  let mqttUrl: string;
  let parent: ReturnType<typeof createTRPCClient<NodeRouter>>;

  beforeAll(async () => {
    const mqttPort = await freePort();
    mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
    node = await startNodeProcess({
      NODE_ID,
      DATABASE_URL: `pglite:${dir}/db`,
      DATA_DIR: dir,
      MQTT_PORT: String(mqttPort),
      PARENT_TOKEN_HASHES: hashNodeToken(token),
      PARENT_AWAY_AFTER_MS: '1000',
      BACKLOG_STALL_AFTER_MS: '2000',
      BACKLOG_RATE_WINDOW_MS: '30000',
    });
    parent = createTRPCClient<NodeRouter>({
      links: [httpLink({ url: `${node.httpUrl}/trpc`, headers: { authorization: `Bearer ${token}` } })],
    });
    await parent.rules.upsert.mutate({
      nodePath: NODE_ID,
      rule: {
        id: 'hot',
        name: 'Hot',
        severity: 'warning',
        enabled: true,
        scope: { devicePattern: '*', labels: {} },
        condition: { kind: 'threshold', metric: 'temp', operator: '>', value: 50, hysteresis: 0, forMs: 0 },
      },
    });
  });
  afterAll(async () => {
    await node?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('owes the parent the alert changes made while it was away, stalls, and drains them when it calls again', async () => {
    // The parent is away from here on: it makes no call until the end.
    await waitFor(
      'the first reading of the backlogs',
      async () => (await parentGauge(node, 'tierscope_backlog_stalled')) >= 0,
    );
    const device = await mqtt.connectAsync(mqttUrl, { clientId: 'backlog-device' });
    for (const id of ['d1', 'd2', 'd3'])
      await device.publishAsync(`devices/${id}/telemetry`, JSON.stringify({ metrics: { temp: 80 } }), {
        qos: 1,
      });
    await device.endAsync();

    await waitFor(
      'three alert changes owed to the parent',
      async () => (await parentGauge(node, 'tierscope_backlog_depth')) >= 3,
    );
    await waitFor(
      'the drain to the parent to stall',
      async () => (await parentGauge(node, 'tierscope_backlog_stalled')) === 1,
    );

    // The parent is back: its first call takes what it was owed.
    const info = await parent.node.info.query();
    await waitFor('the backlog to drain', async () => {
      const { backlogs } = await parent.node.info.query();
      return backlogs?.parents[0]?.depth === 0 && backlogs.parents[0].trend === 'empty';
    });
    const { backlogs } = await parent.node.info.query();
    expect(backlogs?.parents).toEqual([
      expect.objectContaining({ via: 'dialled', away: false, depth: 0, trend: 'empty', etaMs: null }),
    ]);
    expect(backlogs?.parents[0]?.drainPerSec).toBeGreaterThan(0);
    expect(info.backlogs?.ingest.depth).toBe(0);

    const alerts = await parent.alerts.list.query({ limit: 100 });
    const stalled = alerts.items.filter((alert) => alert.ruleId === 'backlog-stalled');
    expect(stalled.length).toBeGreaterThanOrEqual(1);
    await waitFor('the stalled-drain alert to resolve', async () => {
      const page = await parent.alerts.list.query({ limit: 100, states: ['firing'] });
      return !page.items.some((alert) => alert.ruleId === 'backlog-stalled');
    });
  });
});
