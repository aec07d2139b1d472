import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor, AlertChange, NodeService, Rule, TrackedAlertChange } from '@tierscope/shared';
import type { AlertingRuntime } from '../alerting/alerting-runtime.ts';
import { openNodeStore, type NodeStore } from '../store/client.ts';
import { ingestBatch, type IngestBatch, type IngestStore, type SampleRow } from '../store/ingest-store.ts';
import { createPgIngestStore } from '../store/ingest-store.pg.ts';
import { migrateStore } from '../store/migrate.ts';
import { alertingDepsFor } from '../testing/alerting-deps.ts';
import { idleNodeService } from '../testing/idle-node-service.ts';
import { testDatabaseBackends, type TestDatabase } from '@tierscope/test-support/test-databases';

const NODE = 'probe-a';
const operator: Actor = { kind: 'user', name: 'olga', role: 'operator' };
const T0 = Date.UTC(2026, 10, 1, 12);

const hot: Rule = {
  id: 'hot',
  name: 'Too hot',
  severity: 'critical',
  enabled: true,
  scope: { devicePattern: 'boiler-*', labels: {} },
  condition: { kind: 'threshold', metric: 'temp', operator: '>', value: 30, hysteresis: 0, forMs: 0 },
};

let seq = 0;
function batchOf(samples: SampleRow[]): IngestBatch {
  const seen = new Map<string, number>();
  for (const s of samples) seen.set(s.deviceId, s.ts);
  return ingestBatch({ samples, seen, lastSeq: ++seq });
}

/** Collects a stream's items until `count` arrived, then stops it. */
async function take(stream: AsyncIterable<TrackedAlertChange>, count: number, controller: AbortController) {
  const items: TrackedAlertChange[] = [];
  for await (const item of stream) {
    items.push(item);
    if (items.length >= count) break;
  }
  controller.abort();
  return items;
}

const kindsOf = (items: TrackedAlertChange[]) => items.map((i) => i.change.kind);

describe.each(testDatabaseBackends())('alerting on a leaf ($name)', ({ create }) => {
  let database: TestDatabase;
  let store: NodeStore;
  let service: NodeService;
  let alerting: AlertingRuntime;
  let ingestStore: IngestStore;

  /** What the ingest path does with a batch: the engine decides, the batch's transaction stores it all. */
  async function ingest(samples: SampleRow[], now: number): Promise<void> {
    const batch = batchOf(samples);
    const transitions = alerting.engine.evaluateBatch(batch, now);
    if (transitions.length > 0) batch.alertTransitions = transitions;
    const result = await ingestStore.writeBatch(batch);
    alerting.published(result.alertChanges);
  }

  beforeAll(async () => {
    database = await create();
    store = await openNodeStore(database.url);
    await migrateStore(store);
    const deps = alertingDepsFor(store, NODE, { engine: { damping: { clearForMs: 0 } } });
    alerting = deps.alerting;
    await alerting.load([]);
    ingestStore = createPgIngestStore(store, { writeAlertTransitions: alerting.writeInTransaction });
    service = idleNodeService(store, deps, NODE, { startedAt: T0 });
    const admin: Actor = { kind: 'user', name: 'ada', role: 'admin' };
    await service.rules.upsert({ nodePath: NODE, rule: hot }, admin);
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it('stores a fired alert with the batch, lists it, and a replay of the same batch adds nothing', async () => {
    const samples = [{ deviceId: 'boiler-1', metric: 'temp', ts: T0, value: 35 }];
    await ingest(samples, T0);
    // The same batch again, as after a crash before the checkpoint: same alert id, no second alert.
    const replay = batchOf(samples);
    replay.alertTransitions = [
      {
        kind: 'fired',
        alertId: `hot:boiler-1:${T0}`,
        fingerprint: 'hot:boiler-1',
        rule: hot,
        deviceId: 'boiler-1',
        episodeStart: T0,
        at: T0,
        value: 35,
        summary: 'again',
      },
    ];
    const again = await ingestStore.writeBatch(replay);
    expect(again.alertChanges ?? []).toEqual([]);
    const page = await service.alerts.list({ limit: 10 });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      id: `hot:boiler-1:${T0}`,
      nodePath: NODE,
      state: 'firing',
      severity: 'critical',
      value: 35,
      startedAt: T0,
      ack: null,
    });
  });

  it('streams the open alerts to a new subscriber, then live changes, and resumes exactly after a last id', async () => {
    const first = new AbortController();
    const snapshot = await take(service.alerts.watch({}, first.signal), 1, first);
    expect(kindsOf(snapshot)).toEqual(['fired']);

    // While nobody listens: an ack, then the value drops (resolved), then a second device fires.
    const acked = await service.alerts.ack(
      { nodePath: NODE, id: `hot:boiler-1:${T0}`, note: 'on it' },
      operator,
    );
    expect(acked.ack).toMatchObject({ by: 'olga', note: 'on it' });
    await ingest([{ deviceId: 'boiler-1', metric: 'temp', ts: T0 + 1000, value: 20 }], T0 + 1000);
    await ingest([{ deviceId: 'boiler-2', metric: 'temp', ts: T0 + 2000, value: 40 }], T0 + 2000);

    const resumed = new AbortController();
    const missed = await take(
      service.alerts.watch({ lastEventId: snapshot[0]!.id }, resumed.signal),
      3,
      resumed,
    );
    expect(missed.map((i) => [i.change.kind, i.change.alert.deviceId])).toEqual([
      ['acked', 'boiler-1'],
      ['resolved', 'boiler-1'],
      ['fired', 'boiler-2'],
    ]);
    // Ids increase and the resolved change carries the original times.
    expect(missed.map((i) => Number(i.id))).toEqual(
      [...missed.map((i) => Number(i.id))].sort((a, b) => a - b),
    );
    const resolved: AlertChange = missed[1]!.change;
    expect(resolved.alert).toMatchObject({ state: 'resolved', startedAt: T0, resolvedAt: T0 + 1000 });
    expect(resolved.alert.ack?.by).toBe('olga');

    // A live subscriber gets a change committed after it subscribed.
    const live = new AbortController();
    const liveItems = take(service.alerts.watch({ lastEventId: missed[2]!.id }, live.signal), 1, live);
    await ingest([{ deviceId: 'boiler-2', metric: 'temp', ts: T0 + 3000, value: 10 }], T0 + 3000);
    expect(kindsOf(await liveItems)).toEqual(['resolved']);
  });

  it('marks an alert that fires under a silence as silenced, and lists it all the same', async () => {
    await service.silences.create(
      {
        nodePath: NODE,
        kind: 'maintenance',
        matchers: { devicePattern: 'boiler-3' },
        endsAt: Date.now() + 3600_000,
        comment: 'swap',
      },
      operator,
    );
    await ingest([{ deviceId: 'boiler-3', metric: 'temp', ts: Date.now(), value: 50 }], Date.now());
    const page = await service.alerts.list({ deviceId: 'boiler-3', limit: 10 });
    expect(page.items.map((a) => [a.state, a.silenced])).toEqual([['firing', true]]);
  });

  it('refuses an ack for an alert it does not own, and a malformed last id, with clear errors', async () => {
    await expect(service.alerts.ack({ nodePath: 'probe-z', id: 'x', note: '' }, operator)).rejects.toThrow(
      /no alert at probe-z/,
    );
    await expect(service.alerts.ack({ nodePath: NODE, id: 'nope', note: '' }, operator)).rejects.toThrow(
      /no alert nope/,
    );
    const controller = new AbortController();
    await expect(
      take(service.alerts.watch({ lastEventId: 'v1.zzz' }, controller.signal), 1, controller),
    ).rejects.toThrow(/not this node's event id/);
  });

  it('writes every alert change, ack, silence and rule change to the audit log with who did it', async () => {
    const rows = await store.exec<{ actor: string; action: string; target: string }>(
      `SELECT actor, action, target FROM audit_log ORDER BY id`,
    );
    const entries = rows.map((r) => `${r.actor} ${r.action} ${r.target}`);
    expect(entries).toEqual(
      expect.arrayContaining([
        'user:ada rule.upsert hot',
        `system:rule-engine alert.fired hot:boiler-1:${T0}`,
        `user:olga alert.ack hot:boiler-1:${T0}`,
        `system:rule-engine alert.resolved hot:boiler-1:${T0}`,
      ]),
    );
    expect(entries.some((e) => e.startsWith('user:olga maintenance.create'))).toBe(true);
  });

  it('pages the alert list most severe first, then newest, without repeats', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await service.alerts.list({ limit: 1, ...(cursor && { cursor }) });
      seen.push(...page.items.map((a) => a.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const all = await service.alerts.list({ limit: 100 });
    expect(seen).toEqual(all.items.map((a) => a.id));
    expect(new Set(seen).size).toBe(seen.length);
  });
});
