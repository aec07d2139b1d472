import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyHash } from '@tierscope/federation';
import {
  NodePolicyState,
  PolicyContent,
  Webhook,
  type Actor,
  type DesiredPolicy,
  type NodeService,
  type PolicyDocument,
  type Rule,
} from '@tierscope/shared';
import { testDatabaseBackends, type TestDatabase } from '@tierscope/test-support/test-databases';
import type { AlertingRuntime } from '../alerting/alerting-runtime.ts';
import { createOutboxStore, notificationHook, WebhookAllowlistText } from '@tierscope/notify';
import { openNodeStore, type NodeStore } from '../store/client.ts';
import { ingestBatch, type IngestStore, type SampleRow } from '../store/ingest-store.ts';
import { createPgIngestStore } from '../store/ingest-store.pg.ts';
import { migrateStore } from '../store/migrate.ts';
import { alertingDepsFor } from '../testing/alerting-deps.ts';
import { idleNodeService } from '../testing/idle-node-service.ts';
import type { PolicyAgent } from './policy-agent.ts';

const NODE = 'probe-a';
const T0 = Date.UTC(2026, 10, 1, 12);
const DAY = 24 * 3600 * 1000;
const parent: Actor = { kind: 'node', name: 'district-1', role: 'admin' };
const admin: Actor = { kind: 'user', name: 'ada', role: 'admin' };
const ALLOWLIST = WebhookAllowlistText.parse('hooks.example.com');
const ENV_WEBHOOK = Webhook.parse({ id: 'ops', url: 'https://hooks.example.com/ops' });

const hot: Rule = {
  id: 'boiler-hot',
  name: 'Boiler too hot',
  severity: 'critical',
  enabled: true,
  scope: { devicePattern: 'boiler-*', labels: {} },
  condition: { kind: 'threshold', metric: 'temp', operator: '>', value: 90, hysteresis: 0, forMs: 0 },
};

/** The fleet's document as the BFF hands it to this node: one released version. */
function released(version: number, bundles: unknown[]): PolicyDocument {
  const content = PolicyContent.parse({ bundles });
  return {
    author: 'bff',
    selfPath: NODE,
    current: { version, hash: policyHash(content), content },
    previous: null,
    canaries: [],
    phase: 'released',
  };
}

const thresholdOf = (rule: Rule) => {
  if (rule.condition.kind !== 'threshold') throw new Error(`${rule.id} is no threshold rule`);
  return rule.condition;
};

const desiredOf = (...documents: PolicyDocument[]): DesiredPolicy => ({ documents });

const v1 = released(1, [
  {
    name: 'core',
    target: '**',
    rules: [hot],
    routes: [{ id: 'pager', url: 'https://hooks.example.com/pager' }],
    retention: { rawDays: 7 },
    unknownDevices: 'reject',
  },
]);

describe.each(testDatabaseBackends())('the policy agent ($name)', ({ create }) => {
  let database: TestDatabase;
  let store: NodeStore;
  let agent: PolicyAgent;
  let alerting: AlertingRuntime;
  let service: NodeService;
  let ingestStore: IngestStore;
  let seq = 0;

  /** What the ingest path does with a batch: the engine decides, the batch's transaction stores it all. */
  async function ingest(samples: SampleRow[]): Promise<void> {
    const seen = new Map(samples.map((sample) => [sample.deviceId, sample.ts]));
    const batch = ingestBatch({ samples, seen, lastSeq: ++seq });
    const transitions = alerting.engine.evaluateBatch(batch, samples[0]!.ts);
    if (transitions.length > 0) batch.alertTransitions = transitions;
    alerting.published((await ingestStore.writeBatch(batch)).alertChanges);
  }

  const count = async (sql: string) => (await store.exec<{ n: number }>(sql))[0]?.n;
  const audited = (action: string) =>
    count(`SELECT count(*)::int AS n FROM audit_log WHERE action = '${action}'`);

  /** A node process over `store`, wired as main.ts wires one; `load()` is the start. */
  async function startNode(): Promise<void> {
    const outbox = createOutboxStore(store);
    const deps = alertingDepsFor(
      store,
      NODE,
      {
        engine: { damping: { clearForMs: 0 } },
        inTransaction: notificationHook({ outbox, webhooks: () => deps.policyAgent.settings().routes }),
      },
      {
        webhookAllowlist: ALLOWLIST,
        defaults: { webhooks: [ENV_WEBHOOK], rawRetentionDays: 30, unknownDevices: 'register' },
      },
    );
    agent = deps.policyAgent;
    alerting = deps.alerting;
    await agent.load();
    await alerting.load([]);
    ingestStore = createPgIngestStore(store, { writeAlertTransitions: alerting.writeInTransaction });
    service = idleNodeService(store, deps, NODE, {
      rawRetentionDays: () => agent.settings().rawRetentionDays,
    });
  }

  beforeAll(async () => {
    database = await create();
    store = await openNodeStore(database.url);
    await migrateStore(store);
    await startNode();
    // The node has stored `temp` (and nothing else) before any policy arrives.
    await ingest([{ deviceId: 'room-1', metric: 'temp', ts: T0 - 60_000, value: 20 }]);
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it('runs the node’s own settings and reports no policy before any arrives', async () => {
    expect(agent.effective().rules).toEqual([]);
    expect(agent.settings()).toMatchObject({ rawRetentionDays: 30, unknownDevices: 'register' });
    expect((await service.node.info()).policy).toEqual({
      desiredHash: null,
      applied: [],
      appliedAt: null,
      rejection: null,
    });
  });

  it('activates a valid policy: its rule fires on a matching batch and notifies through its route', async () => {
    const result = await service.policy.receive(desiredOf(v1), parent);
    expect(result.state).toMatchObject({
      desiredHash: policyHash(desiredOf(v1)),
      applied: [{ author: 'bff', version: 1, hash: v1.current.hash }],
      rejection: null,
    });
    const rules = await service.rules.list({ limit: 10 });
    expect(rules.items).toEqual([{ ...hot, nodePath: NODE, origin: 'policy' }]);

    await ingest([{ deviceId: 'boiler-1', metric: 'temp', ts: T0, value: 99 }]);
    const alerts = await service.alerts.list({ limit: 10 });
    expect(alerts.items).toMatchObject([{ ruleId: 'boiler-hot', deviceId: 'boiler-1', state: 'firing' }]);
    const outbox = await store.exec<{ webhook_id: string }>(
      `SELECT webhook_id FROM notification_outbox ORDER BY webhook_id`,
    );
    expect(outbox.map((row) => row.webhook_id)).toEqual(['ops', 'pager']);
  });

  it('follows the policy’s retention and unknown-device rule, and hands its documents on', () => {
    expect(agent.settings()).toMatchObject({ rawRetentionDays: 7, unknownDevices: 'reject' });
    expect(agent.desiredDocuments()).toEqual([v1]);
  });

  it('takes the same desired policy twice as once: one activation, one audit entry', async () => {
    const before = agent.state();
    const handedOn: PolicyDocument[][] = [];
    const stop = agent.onDesired((documents) => handedOn.push(documents));
    const again = await agent.apply(desiredOf(v1), parent);
    stop();
    expect(again.state).toEqual(before);
    expect(await audited('policy.apply')).toBe(1);
    expect(handedOn).toEqual([]);
  });

  it('lets the node’s own rule of the same id win over the policy’s', async () => {
    const local: Rule = { ...hot, condition: { ...thresholdOf(hot), value: 200 } };
    await service.rules.upsert({ nodePath: NODE, rule: local }, admin);
    expect((await service.rules.list({ limit: 10 })).items).toEqual([
      { ...local, nodePath: NODE, origin: 'local' },
    ]);
    // 150 is past the policy's 90 but not the node's own 200.
    await ingest([{ deviceId: 'boiler-2', metric: 'temp', ts: T0 + 1000, value: 150 }]);
    const alerts = await service.alerts.list({ limit: 10 });
    expect(alerts.items.map((alert) => alert.deviceId)).toEqual(['boiler-1']);
    await service.rules.delete({ nodePath: NODE, id: hot.id }, admin);
    expect((await service.rules.list({ limit: 10 })).items).toEqual([
      { ...hot, nodePath: NODE, origin: 'policy' },
    ]);
  });

  it('refuses a policy naming an unknown metric, a refused route and a bad pattern, and keeps the applied one', async () => {
    const bad = released(2, [
      {
        name: 'core',
        target: '**',
        rules: [
          hot,
          { ...hot, id: 'damp', condition: { ...thresholdOf(hot), metric: 'humidty' } },
          { ...hot, id: 'bracket', scope: { devicePattern: 'boiler-[', labels: {} } },
        ],
        routes: [{ id: 'leak', url: 'https://collector.example.net/in' }],
      },
    ]);
    const handedOn: PolicyDocument[][] = [];
    const stop = agent.onDesired((documents) => {
      handedOn.push(documents);
      throw new Error('a broken listener');
    });
    const result = await agent.apply(desiredOf(bad), parent);
    stop();
    // Passed on to the children even though this node refuses it: they check it against themselves.
    expect(handedOn).toEqual([[bad]]);
    expect(result.state.applied).toEqual([{ author: 'bff', version: 1, hash: v1.current.hash }]);
    expect(result.state.rejection).toMatchObject({ author: 'bff', version: 2 });
    const problems = result.state.rejection!.reason.split('; ');
    expect(problems).toHaveLength(3);
    expect(problems).toEqual([
      expect.stringMatching(
        /bundle "core" \(bff v2\), rule "damp": metric "humidty" is neither stored on probe-a/,
      ),
      expect.stringMatching(
        /bundle "core" \(bff v2\), rule "bracket": device pattern "boiler-\[" does not compile/,
      ),
      expect.stringMatching(
        /bundle "core" \(bff v2\), route "leak": host "collector.example.net" is not on WEBHOOK_ALLOWLIST/,
      ),
    ]);
    expect(agent.effective().rules.map((rule) => rule.id)).toEqual(['boiler-hot']);
    expect((await service.node.info()).policy?.rejection?.reason).toBe(result.state.rejection!.reason);
    expect(await audited('policy.reject')).toBe(1);
  });

  it('accepts a metric the policy declares, clears the refusal and lets the node’s own webhook win its id', async () => {
    const declared = released(3, [
      {
        name: 'core',
        target: '**',
        rules: [hot, { ...hot, id: 'damp', condition: { ...thresholdOf(hot), metric: 'humidity' } }],
        // Not on the allowlist, but WEBHOOKS has `ops`: the node's own wins and this one never runs.
        routes: [{ id: 'ops', url: 'https://collector.example.net/in' }],
        declaredMetrics: ['humidity'],
      },
    ]);
    const result = await agent.apply(desiredOf(declared), parent);
    expect(result.state).toMatchObject({ applied: [{ version: 3 }], rejection: null });
    expect(agent.settings().routes).toEqual([ENV_WEBHOOK]);
    expect(agent.settings()).toMatchObject({ rawRetentionDays: 30, unknownDevices: 'register' });
  });

  it('silences the alerts its maintenance windows cover and lists them beside the node’s own', async () => {
    const maintenance = released(4, [
      {
        name: 'core',
        target: '**',
        rules: [hot],
        silences: [
          {
            id: 'boiler-4-service',
            kind: 'maintenance',
            matchers: { devicePattern: 'boiler-4' },
            startsAt: T0,
            endsAt: T0 + 365 * DAY,
          },
        ],
      },
    ]);
    await agent.apply(desiredOf(maintenance), parent);
    await ingest([{ deviceId: 'boiler-4', metric: 'temp', ts: T0 + 1500, value: 99 }]);
    const alerts = await service.alerts.list({ deviceId: 'boiler-4', limit: 10 });
    expect(alerts.items).toMatchObject([{ ruleId: 'boiler-hot', state: 'firing', silenced: true }]);
    const silences = await service.silences.list({ limit: 10 });
    expect(silences.items).toMatchObject([
      { id: 'policy:boiler-4-service', nodePath: NODE, kind: 'maintenance', createdBy: 'policy' },
    ]);
  });

  it('answers authoring calls with the reason: a leaf authors no policy', async () => {
    await expect(service.policy.versions({})).rejects.toThrow('probe-a authors no policy');
    await expect(
      service.policy.publish({ content: { bundles: [] }, comment: '', canaries: [], canaryHoldMs: 0 }, admin),
    ).rejects.toThrow('only a federating tier does');
  });

  it('after a restart runs the stored policy from load(), before any parent calls', async () => {
    await startNode();
    expect(agent.state()).toMatchObject({ applied: [{ author: 'bff', version: 4 }], rejection: null });
    // As node.info reports it: read back from the store, every field still fits the contract.
    expect(NodePolicyState.parse(agent.state()).appliedAt).toBeTypeOf('number');
    await ingest([{ deviceId: 'boiler-3', metric: 'temp', ts: T0 + 2000, value: 99 }]);
    const alerts = await service.alerts.list({ deviceId: 'boiler-3', limit: 10 });
    expect(alerts.items).toMatchObject([{ ruleId: 'boiler-hot', state: 'firing' }]);
    expect((await service.rules.list({ limit: 10 })).items.map((rule) => rule.origin)).toEqual(['policy']);
  });
});
