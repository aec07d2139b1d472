// The rule preview against the alerts the node really raises: a scripted half day of samples goes
// through the node's ingest path with the rule installed (the engine deciding in each batch and on
// its one-second tick, every change stored), then the preview of the same rule over the same
// window is asked for. Its fires and resolutions must be the stored ones, at the same times.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, NodeService, Rule } from '@tierscope/shared';
import { testDatabaseBackends, type TestDatabase } from '@tierscope/test-support/test-databases';
import type { AlertingRuntime } from '../alerting/alerting-runtime.ts';
import { openNodeStore, type NodeStore } from '../store/client.ts';
import { ingestBatch, type IngestStore, type SampleRow } from '../store/ingest-store.ts';
import { createPgIngestStore } from '../store/ingest-store.pg.ts';
import { migrateStore } from '../store/migrate.ts';
import { alertingDepsFor } from '../testing/alerting-deps.ts';
import { idleNodeService } from '../testing/idle-node-service.ts';

const NODE = 'probe-a';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const FROM = Date.UTC(2026, 11, 1);
const TO = FROM + 12 * HOUR;
const admin: Actor = { kind: 'user', name: 'ada', role: 'admin' };

const hot: Rule = {
  id: 'hot',
  name: 'Too hot for five minutes',
  severity: 'critical',
  enabled: true,
  scope: { devicePattern: 'boiler-*', labels: {} },
  condition: {
    kind: 'threshold',
    metric: 'temp',
    operator: '>',
    value: 50,
    hysteresis: 0,
    forMs: 5 * MINUTE,
  },
};

/** Three boilers and a pump, once a minute with jitter; a hot spell every few hours per boiler. */
function scriptedSamples(): SampleRow[] {
  const out: SampleRow[] = [];
  for (const [index, deviceId] of ['boiler-1', 'boiler-2', 'boiler-3', 'pump-1'].entries()) {
    for (let t = FROM; t < TO; t += MINUTE) {
      const minute = (t - FROM) / MINUTE;
      const hot = Math.floor(minute / 37 + index) % 5 === 0;
      const jitter = (minute * 7919 + index * 104_729) % 4000;
      out.push({
        deviceId,
        metric: 'temp',
        ts: t + jitter,
        value: hot ? 52 + (minute % 3) : 41 + (minute % 4),
      });
    }
  }
  return out.sort((a, b) => a.ts - b.ts);
}

describe.each(testDatabaseBackends())('rule preview on a leaf ($name)', ({ create }) => {
  let database: TestDatabase;
  let store: NodeStore;
  let service: NodeService;
  let alerting: AlertingRuntime;
  let ingestStore: IngestStore;
  let seq = 0;

  /** One tick of the live engine, its changes stored as the runtime stores them. */
  async function tick(at: number): Promise<void> {
    const transitions = alerting.engine.tick(at);
    if (transitions.length > 0) await store.transaction((tx) => alerting.writeInTransaction(tx, transitions));
  }

  /** Samples arriving as stamped: each in its own batch at its own time, the tick running between. */
  async function ingestAsLive(samples: readonly SampleRow[]): Promise<void> {
    let tickAt = FROM + 1000;
    for (const sample of samples) {
      for (; tickAt < sample.ts; tickAt += 1000) await tick(tickAt);
      const batch = ingestBatch({
        samples: [sample],
        seen: new Map([[sample.deviceId, sample.ts]]),
        lastSeq: ++seq,
      });
      const transitions = alerting.engine.evaluateBatch(batch, sample.ts);
      if (transitions.length > 0) batch.alertTransitions = transitions;
      await ingestStore.writeBatch(batch);
    }
    for (; tickAt < TO; tickAt += 1000) await tick(tickAt);
  }

  beforeAll(async () => {
    database = await create();
    store = await openNodeStore(database.url);
    await migrateStore(store);
    const deps = alertingDepsFor(store, NODE);
    alerting = deps.alerting;
    await alerting.load([]);
    ingestStore = createPgIngestStore(store, { writeAlertTransitions: alerting.writeInTransaction });
    service = idleNodeService(store, deps, NODE, { startedAt: FROM });
    await service.rules.upsert({ nodePath: NODE, rule: hot }, admin);
    await ingestAsLive(scriptedSamples());
  }, 240_000);
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it('fires and resolves at the times the engine stored when the same samples came in live', async () => {
    const stored = await store.exec<{ kind: string; at: number; device_id: string }>(
      `select kind, (extract(epoch from at) * 1000)::float8 as at, alert->>'deviceId' as device_id from alert_changes
        where kind in ('fired', 'flapping', 'resolved') order by at, device_id, kind`,
    );
    expect(stored.filter((c) => c.kind === 'fired').length, 'the script fires the rule').toBeGreaterThan(5);

    const preview = await service.rules.preview({ rule: hot, from: FROM, to: TO });
    const outline = (changes: Array<{ kind: string; at: number; deviceId: string }>) =>
      changes.map((c) => `${new Date(c.at).toISOString()} ${c.kind} ${c.deviceId}`);
    expect(outline(preview.timeline)).toEqual(
      outline(stored.map((c) => ({ kind: c.kind, at: c.at, deviceId: c.device_id }))),
    );
    expect(preview.fired).toBe(stored.filter((c) => c.kind === 'fired').length);
    expect(preview.resolved).toBe(stored.filter((c) => c.kind === 'resolved').length);
    expect(preview.timelineComplete).toBe(true);
    // Only the boilers are in scope; the pump's samples are read but not replayed.
    expect(preview.replayed.samples).toBe((3 * (TO - FROM)) / MINUTE);
    expect(preview.devices.map((d) => d.deviceId).sort()).toEqual(['boiler-1', 'boiler-2', 'boiler-3']);
    expect(preview.coverage).toMatchObject({ asked: 1, answered: 1 });
  });

  it('answers nothing for a path filter that excludes the node, and refuses a rule it cannot replay', async () => {
    const elsewhere = await service.rules.preview({ nodePath: 'probe-b', rule: hot, from: FROM, to: TO });
    expect(elsewhere).toMatchObject({ fired: 0, timeline: [], replayed: { samples: 0, events: 0 } });
    await expect(
      service.rules.preview({
        rule: { ...hot, condition: { kind: 'device-offline', forMs: 0 } },
        from: FROM,
        to: TO,
      }),
    ).rejects.toThrow(/device-offline rule cannot be previewed/);
  });
});
