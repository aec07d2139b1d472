import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpChildLink, type ChildLink } from '@tierscope/federation';
import type { Alert, TrackedAlertChange } from '@tierscope/shared';
import { startTcpProxy, type TcpProxy } from '@tierscope/test-support/tcp-proxy';
import { tierBackends, type TierBackend } from '@tierscope/test-support/tier-backends';
import {
  fetchAs,
  loginToConsole,
  spawnBff,
  spawnTestNode,
  waitFor,
  waitReady,
  type NodeProcess,
  type TierProcess,
} from './testing/processes.ts';
import {
  BOILER_TOO_HOT,
  ownAlertChanges,
  publishTemperature,
  subscribeToAlerts,
} from './testing/alert-streams.ts';

/*
 * Alerts through three tiers of real processes, the link between probe-a and the district running
 * through a proxy the test can cut:
 *
 *   bff ── district-1 ─┬─ (proxy) ── probe-a   threshold rule, a webhook receiver
 *                      └─ probe-b               device-offline and no-data rules
 *
 * Once on PGlite with embedded brokers, and again on the real PostgreSQL and a Mosquitto per node
 * when this machine has them.
 */
const CUT_MS = 30_000;
const READY_TIMEOUT_MS = 100_000;

let dataDir: string;
let backend: TierBackend;
const tiers: TierProcess[] = [];
let proxy: TcpProxy;
let bffLink: ChildLink;
let probeALink: ChildLink;
let probeBLink: ChildLink;
let probeAMqtt: string;
let probeBMqtt: string;
let receiver: Server;
const webhookBodies: Array<{ status: string; alerts: Array<{ labels: Record<string, string> }> }> = [];

function link(id: string, url: string, fetch?: typeof globalThis.fetch): ChildLink {
  return createHttpChildLink({ id, url: `${url}/trpc`, ...(fetch && { fetch }) });
}

async function startProbe(id: string, env: Record<string, string>): Promise<NodeProcess> {
  const tier = await spawnTestNode(id, dataDir, { ...(await backend.nodeEnv(id)), ...env });
  tiers.push(tier);
  return tier;
}

async function startTiers(on: TierBackend): Promise<void> {
  backend = on;
  dataDir = mkdtempSync(join(tmpdir(), 'tierscope-alerts-'));
  tiers.length = 0;
  webhookBodies.length = 0;
  receiver = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      webhookBodies.push(JSON.parse(body) as (typeof webhookBodies)[number]);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverPort = (receiver.address() as { port: number }).port;

  const [a, b] = await Promise.all([
    startProbe('probe-a', {
      WEBHOOKS: JSON.stringify([
        { id: 'ops', url: `http://127.0.0.1:${receiverPort}/hook`, minSeverity: 'warning' },
      ]),
      WEBHOOK_ALLOWLIST: '127.0.0.1',
    }),
    startProbe('probe-b', {}),
  ]);
  await Promise.all([waitReady(a, READY_TIMEOUT_MS), waitReady(b, READY_TIMEOUT_MS)]);
  probeAMqtt = a.mqttUrl;
  probeBMqtt = b.mqttUrl;
  probeALink = link('probe-a', a.url);
  probeBLink = link('probe-b', b.url);
  proxy = await startTcpProxy({ host: '127.0.0.1', port: a.port });

  const district = await spawnTestNode('district-1', dataDir, {
    ...(await backend.nodeEnv('district-1')),
    CHILDREN: `probe-a=http://127.0.0.1:${proxy.port},probe-b=${b.url}`,
  });
  tiers.push(district);
  const bff = await spawnBff({
    ...(await backend.bffEnv()),
    CHILDREN: `district-1=${district.url}`,
    WEB_DIST: join(dataDir, 'no-console-here'),
  });
  tiers.push(bff);
  await Promise.all([waitReady(district, READY_TIMEOUT_MS), waitReady(bff, READY_TIMEOUT_MS)]);
  bffLink = link('bff', bff.url, fetchAs(await loginToConsole(bff.url)));
  await waitFor(
    'both probes up at the BFF',
    async () => {
      const info = await bffLink.client.node.info.query();
      const district1 = info.children?.find((c) => c.path === 'district-1');
      return district1?.state === 'up' && (district1.info?.children ?? []).every((c) => c.state === 'up');
    },
    60_000,
  );
  // Rules are stored at the probes, sent through the BFF by path.
  await bffLink.client.rules.upsert.mutate({ nodePath: 'district-1/probe-a', rule: BOILER_TOO_HOT });
  await bffLink.client.rules.upsert.mutate({
    nodePath: 'district-1/probe-b',
    rule: {
      ...BOILER_TOO_HOT,
      id: 'gone',
      name: 'Device offline',
      condition: { kind: 'device-offline', forMs: 0 },
    },
  });
  await bffLink.client.rules.upsert.mutate({
    nodePath: 'district-1/probe-b',
    rule: {
      ...BOILER_TOO_HOT,
      id: 'quiet',
      name: 'Silent meter',
      scope: { devicePattern: 'meter-*', labels: {} },
      condition: { kind: 'no-data', forMs: 3000 },
    },
  });
}

async function stopTiers(): Promise<void> {
  await proxy?.close();
  await Promise.all(tiers.map((t) => t.stop('SIGTERM')));
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
  await backend.release();
  rmSync(dataDir, { recursive: true, force: true });
}

describe.each(tierBackends())('alerts through three tiers of real processes on $name', ({ create }) => {
  beforeAll(() => startTiers(create()), 240_000);
  afterAll(stopTiers);

  it('keeps one node-unreachable alert and no storm while a probe is cut off, then delivers everything it raised exactly once, in order, with original times', async () => {
    const atBff = subscribeToAlerts(bffLink);
    const browser = subscribeToAlerts(bffLink);
    const groundTruth = subscribeToAlerts(probeALink);

    await publishTemperature(probeAMqtt, 'boiler-1', 60);
    const boiler1Fired = (items: TrackedAlertChange[]) =>
      items.some((i) => i.change.kind === 'fired' && i.change.alert.deviceId === 'boiler-1');
    // Each subscription is its own stream: wait until both have seen it, not just the first.
    await waitFor(
      'boiler-1 firing at the BFF, on both subscriptions',
      async () => boiler1Fired(atBff.items) && boiler1Fired(browser.items),
    );
    // The browser goes away for the whole cut; it will come back with its last id.
    const browserLastId = browser.items.at(-1)!.id;
    browser.stop();

    proxy.cut();
    const cutAt = Date.now();
    // While cut off, probe-a resolves boiler-1 and fires boiler-2 and boiler-3.
    await publishTemperature(probeAMqtt, 'boiler-1', 20);
    await publishTemperature(probeAMqtt, 'boiler-2', 70);
    await publishTemperature(probeAMqtt, 'boiler-3', 80);
    await waitFor('probe-a resolving boiler-1 on its own', async () =>
      groundTruth.items.some((i) => i.change.kind === 'resolved'),
    );
    await waitFor(
      'one node-unreachable alert at the BFF',
      async () =>
        (await bffLink.client.alerts.list.query({ states: ['firing'] })).items.some(
          (a) => a.ruleId === 'node-unreachable',
        ),
      20_000,
    );
    const duringCut = await bffLink.client.alerts.list.query({ limit: 100 });
    const unreachable = duringCut.items.filter((a: Alert) => a.ruleId === 'node-unreachable');
    expect(unreachable.map((a) => [a.subjectPath, a.state])).toEqual([['district-1/probe-a', 'firing']]);
    // probe-a's last known alert is still listed, marked stale; the answer says probe-a is missing.
    expect(duringCut.items.filter((a) => a.deviceId === 'boiler-1').map((a) => [a.state, a.stale])).toEqual([
      ['firing', true],
    ]);
    expect(duringCut.coverage.nodes.find((n) => n.path === 'district-1/probe-a')?.state).not.toBe('ok');

    await new Promise((r) => setTimeout(r, Math.max(0, CUT_MS - (Date.now() - cutAt))));
    proxy.restore();

    const truth = () => ownAlertChanges(groundTruth.items, 'probe-a');
    await waitFor(
      'every probe-a change at the BFF',
      async () => ownAlertChanges(atBff.items, 'district-1/probe-a').length >= truth().length,
      60_000,
    );
    await new Promise((r) => setTimeout(r, 1000));
    // Exactly once, in order, original times: the BFF saw what probe-a stored, nothing more.
    expect(ownAlertChanges(atBff.items, 'district-1/probe-a')).toEqual(truth());
    expect(ownAlertChanges(atBff.items, 'district-1/probe-a')).toHaveLength(4); // fired, resolved, fired, fired
    // No storm: the cut added one node-unreachable alert (fired, later resolved), nothing else.
    const nodeLevel = atBff.items.filter((i) => i.change.alert.ruleId === 'node-unreachable');
    expect(new Set(nodeLevel.map((i) => i.change.alert.id)).size).toBe(1);

    // The browser, back after the cut with its last id, gets everything it missed exactly once, in order.
    const back = subscribeToAlerts(bffLink, browserLastId);
    await waitFor(
      'the browser catching up',
      async () => ownAlertChanges(back.items, 'district-1/probe-a').length >= 3,
      30_000,
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(ownAlertChanges(back.items, 'district-1/probe-a')).toEqual(
      ownAlertChanges(atBff.items, 'district-1/probe-a').slice(1),
    );

    for (const s of [atBff, back, groundTruth]) s.stop();
  }, 180_000);

  it('stores an ack sent to the BFF at the owning probe, with who and when, and shows it at every tier', async () => {
    const [target] = (await bffLink.client.alerts.list.query({ deviceId: 'boiler-2', states: ['firing'] }))
      .items;
    expect(target).toBeDefined();
    const before = Date.now();
    await bffLink.client.alerts.ack.mutate({
      nodePath: target!.nodePath,
      id: target!.id,
      note: 'crew on the way',
    });
    const atProbe = (await probeALink.client.alerts.list.query({ deviceId: 'boiler-2' })).items[0]!;
    expect(atProbe.ack).toMatchObject({ note: 'crew on the way' });
    // The user logged in at the BFF, passed down through the district.
    expect(atProbe.ack!.by).toBe('admin');
    expect(atProbe.ack!.at).toBeGreaterThanOrEqual(before - 1000);
    const atBff = (await bffLink.client.alerts.list.query({ deviceId: 'boiler-2' })).items[0]!;
    expect(atBff.ack).toEqual(atProbe.ack);
  });

  it('sends Alertmanager-format notifications, and none for an alert fired under a silence', async () => {
    await bffLink.client.silences.create.mutate({
      nodePath: 'district-1/probe-a',
      matchers: { devicePattern: 'boiler-9' },
      endsAt: Date.now() + 3600_000,
      comment: 'maintenance',
    });
    await publishTemperature(probeAMqtt, 'boiler-9', 99);
    await waitFor('boiler-9 firing (silenced) at the probe', async () =>
      (await probeALink.client.alerts.list.query({ deviceId: 'boiler-9' })).items.some((a) => a.silenced),
    );
    await waitFor('notifications for boiler-2 and boiler-3', async () => {
      const devices = webhookBodies.flatMap((b) => b.alerts.map((a) => a.labels.device));
      return devices.includes('boiler-2') && devices.includes('boiler-3');
    });
    await new Promise((r) => setTimeout(r, 1500));
    const firing = webhookBodies
      .filter((b) => b.status === 'firing')
      .flatMap((b) => b.alerts.map((a) => a.labels.device));
    expect(firing).not.toContain('boiler-9');
    expect(webhookBodies[0]).toMatchObject({ version: '4', status: expect.any(String) as unknown });
  });

  it('raises device-offline from a last will, and no-data when a meter falls silent', async () => {
    const device = await mqtt.connectAsync(probeBMqtt, {
      clientId: 'door-7',
      will: { topic: 'devices/door-7/status', payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    await device.publishAsync('devices/door-7/status', 'online', { qos: 1, retain: true });
    await publishTemperature(probeBMqtt, 'meter-1', 1);
    const lastHeard = Date.now();
    // The connection dies without a DISCONNECT: the broker publishes the will.
    device.stream.destroy();
    await waitFor(
      'device-offline for door-7',
      async () =>
        (await probeBLink.client.alerts.list.query({ deviceId: 'door-7', states: ['firing'] })).items
          .length === 1,
    );
    await waitFor(
      'no-data for meter-1',
      async () =>
        (await probeBLink.client.alerts.list.query({ deviceId: 'meter-1', states: ['firing'] })).items
          .length === 1,
    );
    const [silent] = (await probeBLink.client.alerts.list.query({ deviceId: 'meter-1' })).items;
    // Measured, not a timing assertion: reported by the test output for the closing note.
    console.info(`no-data fired ${silent!.startedAt - lastHeard} ms after the last sample (rule: 3000 ms)`);
    expect(silent!.ruleId).toBe('quiet');
  });
});
