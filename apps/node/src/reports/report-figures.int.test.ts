// Report figures against hand-computed values (issue 16, done-when 1). A scripted ten hours of
// receipts, status messages and alerts goes through the node's own ingest store into two leaves;
// probe-a sits under a district, probe-b straight under the root. Availability, MTTA and MTTR for a
// device, a node and the fleet must equal what the script implies by the rule of decision 27
// (silent from three expected intervals after the last receipt); with probe-b cut off, the report
// names it and its figures are absent, not zero.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  summarizeReport,
  ReportFiguresInput,
  type Actor,
  type NodeService,
  type ReportFigures,
} from '@tierscope/shared';
import { createFederatedNodeService, createHeartbeat } from '@tierscope/federation';
import {
  createInProcessChildLink,
  type InProcessChildLink,
} from '@tierscope/federation/testing/in-process-link.ts';
import { testDatabaseBackends, type TestDatabase } from '@tierscope/test-support/test-databases';
import type { AlertTransition } from '../alerting/alert-transitions.ts';
import { openNodeStore, type NodeStore } from '../store/client.ts';
import { addHeard, ingestBatch, type IngestBatch } from '../store/ingest-store.ts';
import { createPgIngestStore } from '../store/ingest-store.pg.ts';
import { migrateStore } from '../store/migrate.ts';
import { alertingDepsFor } from '../testing/alerting-deps.ts';
import { idleNodeService } from '../testing/idle-node-service.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
// In the future of the machine's clock: devices registered now count from FROM on.
const FROM = Date.UTC(2030, 0, 7);
const TO = FROM + 10 * HOUR;
const admin: Actor = { kind: 'user', name: 'ada', role: 'admin' };
const at = (minutes: number) => FROM + minutes * MINUTE;

interface Receipt {
  deviceId: string;
  minute: number;
}

interface ScriptedLeaf {
  path: string;
  devices: Array<{ id: string; kind: string; site: string; intervalMs: number }>;
  receipts: Receipt[];
  statuses: Array<{ deviceId: string; minute: number; status: 'online' | 'offline' }>;
  alerts: Array<{
    id: string;
    deviceId: string;
    rule: string;
    severity: 'warning' | 'critical';
    fired: number;
    acked?: number;
    resolved?: number;
  }>;
}

const everyMinute = (deviceId: string, skip: (minute: number) => boolean, step = 1): Receipt[] =>
  Array.from({ length: 600 / step }, (_, i) => ({ deviceId, minute: i * step })).filter(
    (r) => !skip(r.minute),
  );

// pump-1: silent 119→180 (down 122..180 = 58 min); offline at 299.5, nothing heard 299→330 (down
// 299.5..330 = 30.5 min): 88.5 min. pump-2: last heard at 539, never again: down 542..600 = 58 min.
const probeA: ScriptedLeaf = {
  path: 'district-1/probe-a',
  devices: [
    { id: 'pump-1', kind: 'pump', site: 's1', intervalMs: MINUTE },
    { id: 'pump-2', kind: 'pump', site: 's2', intervalMs: MINUTE },
  ],
  receipts: [
    ...everyMinute('pump-1', (m) => (m >= 120 && m < 180) || (m >= 300 && m < 330)),
    ...everyMinute('pump-2', (m) => m >= 540),
  ],
  statuses: [{ deviceId: 'pump-1', minute: 299.5, status: 'offline' }],
  alerts: [
    {
      id: 'hot:pump-1:a',
      deviceId: 'pump-1',
      rule: 'hot',
      severity: 'critical',
      fired: 60,
      acked: 70,
      resolved: 100,
    },
    {
      id: 'slow:pump-2:a',
      deviceId: 'pump-2',
      rule: 'slow',
      severity: 'warning',
      fired: 200,
      acked: 204,
      resolved: 230,
    },
    { id: 'hot:pump-1:b', deviceId: 'pump-1', rule: 'hot', severity: 'critical', fired: 500 },
  ],
};

// meter-1, every five minutes (silent after 15): 295→305 is no gap; 425→445, inside one batch, is
// (down 440..445).
const probeB: ScriptedLeaf = {
  path: 'probe-b',
  devices: [{ id: 'meter-1', kind: 'meter', site: 's1', intervalMs: 5 * MINUTE }],
  receipts: everyMinute('meter-1', (m) => m === 300 || (m > 425 && m < 445), 5),
  statuses: [],
  alerts: [
    {
      id: 'hot:meter-1:a',
      deviceId: 'meter-1',
      rule: 'hot',
      severity: 'critical',
      fired: 400,
      acked: 430,
      resolved: 480,
    },
  ],
};

const ownId = (path: string) => path.split('/').at(-1)!;

describe.each(testDatabaseBackends())('report figures over two leaves ($name)', ({ create }) => {
  const databases: TestDatabase[] = [];
  const stores: NodeStore[] = [];
  let fleet: NodeService;
  let probeBLink: InProcessChildLink;

  /** A leaf with its script written through the ingest store, an hour per batch. */
  async function scriptedLeaf(leaf: ScriptedLeaf): Promise<NodeService> {
    const database = await create();
    databases.push(database);
    const store = await openNodeStore(database.url);
    stores.push(store);
    await migrateStore(store);
    let clock = FROM;
    const deps = alertingDepsFor(store, ownId(leaf.path), { now: () => clock });
    await deps.alerting.load([]);
    const service = idleNodeService(store, deps, ownId(leaf.path), { now: () => TO + HOUR });
    for (const device of leaf.devices)
      await service.devices.upsert(
        { deviceId: device.id, kind: device.kind, site: device.site, expectedIntervalMs: device.intervalMs },
        admin,
      );
    const ingest = createPgIngestStore(store, { writeAlertTransitions: deps.alerting.writeInTransaction });
    const transition = (
      alert: ScriptedLeaf['alerts'][number],
      kind: 'fired' | 'resolved',
      minute: number,
    ): AlertTransition => ({
      kind,
      alertId: alert.id,
      fingerprint: `${alert.rule}:${alert.deviceId}`,
      rule: { id: alert.rule, name: `rule ${alert.rule}`, severity: alert.severity },
      deviceId: alert.deviceId,
      episodeStart: at(alert.fired),
      at: at(minute),
      value: 1,
      summary: `${alert.rule} on ${alert.deviceId}`,
    });
    let seq = 0;
    for (let start = 0; start < 600; start += 60) {
      const inBatch = (minute: number) => minute >= start && minute < start + 60;
      const batch: IngestBatch = ingestBatch({ lastSeq: ++seq });
      for (const receipt of leaf.receipts.filter((r) => inBatch(r.minute))) {
        const ts = at(receipt.minute);
        batch.samples.push({ deviceId: receipt.deviceId, metric: 'temp', ts, value: 20 });
        batch.seen.set(receipt.deviceId, Math.max(batch.seen.get(receipt.deviceId) ?? 0, ts));
        addHeard(batch.heard!, receipt.deviceId, ts);
      }
      for (const status of leaf.statuses.filter((s) => inBatch(s.minute)))
        batch.statuses.push({ deviceId: status.deviceId, status: status.status, at: at(status.minute) });
      batch.alertTransitions = [
        ...leaf.alerts.filter((a) => inBatch(a.fired)).map((a) => transition(a, 'fired', a.fired)),
        ...leaf.alerts
          .filter((a) => a.resolved !== undefined && inBatch(a.resolved))
          .map((a) => transition(a, 'resolved', a.resolved!)),
      ];
      await ingest.writeBatch(batch);
      for (const alert of leaf.alerts.filter((a) => a.acked !== undefined && inBatch(a.acked))) {
        clock = at(alert.acked!);
        await service.alerts.ack({ nodePath: ownId(leaf.path), id: alert.id, note: '' }, admin);
      }
    }
    return service;
  }

  beforeAll(async () => {
    const [a, b] = await Promise.all([scriptedLeaf(probeA), scriptedLeaf(probeB)]);
    const aLink = createInProcessChildLink('probe-a', a);
    const district = createFederatedNodeService({
      id: 'district-1',
      isRoot: false,
      children: [aLink],
      heartbeat: createHeartbeat([aLink], { downAfterMs: 60_000 }),
    });
    const districtLink = createInProcessChildLink('district-1', district);
    probeBLink = createInProcessChildLink('probe-b', b);
    const children = [districtLink, probeBLink];
    fleet = createFederatedNodeService({
      id: 'bff',
      isRoot: true,
      children,
      heartbeat: createHeartbeat(children, { downAfterMs: 60_000 }),
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await Promise.all(databases.map((database) => database.drop()));
  });

  const report = (input: Partial<ReportFiguresInput> = {}): Promise<ReportFigures> =>
    fleet.reports.figures(ReportFiguresInput.parse({ from: FROM, to: TO, ...input }));
  const observed = (devices: number) => devices * 600 * MINUTE;

  it('gives a device its down time from its status changes and silences, and its alert times', async () => {
    const figures = await report({ nodePath: 'district-1/probe-a', deviceId: 'pump-1' });
    expect(figures.total).toEqual({ devices: 1, observedMs: observed(1), downMs: 88.5 * MINUTE });
    expect(figures.completeness).toEqual({ expectedSamples: 600, receivedSamples: 510 });
    const summary = summarizeReport(figures);
    expect(summary.availability).toBeCloseTo(1 - 88.5 / 600, 12);
    expect(summary.acknowledge).toEqual({ count: 1, meanMs: 10 * MINUTE, p90Ms: 10 * MINUTE });
    expect(summary.resolve).toEqual({ count: 1, meanMs: 40 * MINUTE, p90Ms: 40 * MINUTE });
    expect(figures.alerts.total).toBe(2);
  });

  it('sums a node from its devices, counting a device still silent as down to the end', async () => {
    const figures = await report({ nodePath: 'district-1/probe-a' });
    expect(figures.total).toEqual({ devices: 2, observedMs: observed(2), downMs: (88.5 + 58) * MINUTE });
    const summary = summarizeReport(figures);
    expect(summary.acknowledge).toEqual({ count: 2, meanMs: 7 * MINUTE, p90Ms: 10 * MINUTE });
    expect(summary.resolve).toEqual({ count: 2, meanMs: 35 * MINUTE, p90Ms: 40 * MINUTE });
    expect(figures.alerts.bySeverity).toEqual({ info: 0, warning: 1, critical: 2 });
  });

  it('merges the fleet exactly: weighted sums and the merged durations, not averages of averages', async () => {
    const figures = await report({
      objectives: [{ name: 'pumps', selector: { kind: 'pump' }, availability: 0.9 }],
    });
    expect(figures.coverage).toMatchObject({ asked: 2, answered: 2 });
    expect(figures.total).toEqual({ devices: 3, observedMs: observed(3), downMs: (88.5 + 58 + 5) * MINUTE });
    const summary = summarizeReport(figures);
    expect(summary.availability).toBeCloseTo(1 - 151.5 / 1800, 12);
    expect(summary.acknowledge).toEqual({ count: 3, meanMs: (44 / 3) * MINUTE, p90Ms: 30 * MINUTE });
    expect(summary.resolve).toEqual({ count: 3, meanMs: 50 * MINUTE, p90Ms: 80 * MINUTE });
    expect(figures.groups.node.map((g) => [g.key, g.downMs / MINUTE])).toEqual([
      ['district-1/probe-a', 146.5],
      ['probe-b', 5],
    ]);
    expect(figures.groups.site.map((g) => [g.key, g.downMs / MINUTE])).toEqual([
      ['s1', 93.5],
      ['s2', 58],
    ]);
    expect(figures.alerts.byRule).toEqual([
      { ruleId: 'hot', ruleName: 'rule hot', count: 3 },
      { ruleId: 'slow', ruleName: 'rule slow', count: 1 },
    ]);
    expect(figures.devices.map((d) => [d.nodePath, d.deviceId])).toEqual([
      ['district-1/probe-a', 'pump-1'],
      ['district-1/probe-a', 'pump-2'],
      ['probe-b', 'meter-1'],
    ]);
    // Pumps: 146.5 min down of 1200 (87.8 %): missed, the budget of 120 min overspent.
    expect(summary.objectives[0]).toMatchObject({ met: false });
    expect(summary.objectives[0]!.errorBudgetLeft).toBeCloseTo(1 - 146.5 / 120, 12);
  });

  it('names a node that does not answer and leaves its figures out rather than counting zero', async () => {
    probeBLink.cut();
    try {
      const figures = await report();
      expect(summarizeReport(figures).missingNodes).toEqual(['probe-b']);
      expect(figures.coverage).toMatchObject({ asked: 2, answered: 1 });
      expect(figures.total).toEqual({ devices: 2, observedMs: observed(2), downMs: 146.5 * MINUTE });
      expect(figures.groups.node.map((g) => g.key)).toEqual(['district-1/probe-a']);
      expect(figures.groups.kind.map((g) => g.key)).toEqual(['pump']);
    } finally {
      probeBLink.restore();
    }
  });
});
