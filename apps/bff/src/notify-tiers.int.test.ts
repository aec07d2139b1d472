import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpChildLink, type ChildLink } from '@tierscope/federation';
import type { AlertmanagerPayload } from '@tierscope/notify';
import type { PolicyContent } from '@tierscope/shared';
import { startTestReceiver, type TestReceiver } from '@tierscope/test-support/test-receiver';
import { startTestSmtpServer, type TestSmtpServer } from '@tierscope/test-support/test-smtp-server';
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

/*
 * `node unreachable` goes out through the routes of the tier that detected it (issue 14):
 *
 *   bff (WEBHOOKS: bff-ops) ─┬─ district-1 (a route from fleet policy: district-pager) ── probe-a
 *                            └─ probe-b
 *
 * The receiver tells the routes apart by path; `bff-pd` is a PagerDuty Events v2 route, and the
 * fleet's escalation policy emails oncall@example.com through the test's SMTP server.
 */
const READY_TIMEOUT_MS = 100_000;
const NOTIFIED_TIMEOUT_MS = 60_000;

let dataDir: string;
let receiver: TestReceiver;
let smtp: TestSmtpServer;
let bff: TierProcess;
let district: NodeProcess;
let client: ChildLink['client'];
const probes = new Map<string, NodeProcess>();

async function startProbe(id: string, port?: number): Promise<NodeProcess> {
  const probe = await spawnTestNode(id, dataDir, port === undefined ? {} : { HTTP_PORT: String(port) });
  probes.set(id, probe);
  await waitReady(probe, READY_TIMEOUT_MS);
  return probe;
}

/** The payloads the receiver took at `path`. */
function received(path: string): AlertmanagerPayload[] {
  return receiver.requests
    .filter((request) => request.path === path)
    .map((request) => JSON.parse(request.body) as AlertmanagerPayload);
}

/** Waits for a `node unreachable` payload of `subject` with `status` at `path`, and returns it. */
async function notified(path: string, subject: string, status: string): Promise<AlertmanagerPayload> {
  const find = () =>
    received(path).find(
      (payload) =>
        payload.status === status &&
        payload.alerts[0]?.labels.rule_id === 'node-unreachable' &&
        payload.alerts[0]?.labels.subject_path === subject,
    );
  await waitFor(
    `${path} told ${subject} is ${status}`,
    async () => find() !== undefined,
    NOTIFIED_TIMEOUT_MS,
  );
  return find()!;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tierscope-notify-'));
  receiver = await startTestReceiver(() => ({ status: 200 }));
  smtp = await startTestSmtpServer();
  const [a, b] = await Promise.all([startProbe('probe-a'), startProbe('probe-b')]);
  district = await spawnTestNode('district-1', dataDir, {
    CHILDREN: `probe-a=${a.url}`,
    WEBHOOK_ALLOWLIST: '127.0.0.1',
  });
  bff = await spawnBff({
    DATABASE_URL: 'pglite:memory',
    CHILDREN: `district-1=${district.url},probe-b=${b.url}`,
    WEB_DIST: join(dataDir, 'no-console-here'),
    WEBHOOKS: JSON.stringify([
      { id: 'bff-ops', url: `${receiver.url}/bff-ops` },
      { id: 'bff-pd', kind: 'pagerduty', url: `${receiver.url}/bff-pd`, routingKey: 'TESTKEY' },
    ]),
    WEBHOOK_ALLOWLIST: '127.0.0.1',
    SMTP_URL: smtp.url,
    CONSOLE_URL: 'https://console.example.com',
    // No tier below notifies a lost child: the BFF need not wait for one.
    ESCALATION_STEP_DELAY_MS: '0',
  });
  await Promise.all([waitReady(district, READY_TIMEOUT_MS), waitReady(bff, READY_TIMEOUT_MS)]);
  client = createHttpChildLink({
    id: 'bff',
    url: `${bff.url}/trpc`,
    fetch: fetchAs(await loginToConsole(bff.url)),
  }).client;
  await waitFor(
    'every node up at the BFF',
    async () => {
      const info = await client.node.info.query();
      return (
        info.children?.length === 2 &&
        info.children.every(
          (c) => c.state === 'up' && (c.info?.children ?? []).every((g) => g.state === 'up'),
        )
      );
    },
    60_000,
  );
}, 240_000);

afterAll(async () => {
  await Promise.all([bff, district, ...probes.values()].map((tier) => tier?.stop()));
  await receiver?.close();
  await smtp?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('a tier that loses a child notifies through its own routes', () => {
  it('the BFF sends node-unreachable firing through its WEBHOOKS, PagerDuty and its escalation policy when a child stops, and one resolve each when it returns', async () => {
    await client.policy.publish.mutate({
      content: {
        bundles: [
          {
            name: 'fleet on call',
            target: '**',
            escalations: [
              {
                id: 'fleet-oncall',
                minSeverity: 'critical',
                steps: [{ afterMinutes: 0, notify: [{ email: 'oncall@example.com' }] }],
                sendResolved: true,
              },
            ],
            rules: [],
            silences: [],
            routes: [],
            retention: {},
            declaredMetrics: [],
          },
        ],
      },
      comment: 'page the on-call engineer',
    });
    const probeB = probes.get('probe-b')!;
    await probeB.stop();
    const firing = await notified('/bff-ops', 'probe-b', 'firing');
    expect(firing).toMatchObject({ version: '4', receiver: 'bff-ops', status: 'firing' });
    expect(firing.alerts[0]?.labels).toMatchObject({ alertname: 'Node unreachable', severity: 'critical' });

    await startProbe('probe-b', probeB.port);
    const resolved = await notified('/bff-ops', 'probe-b', 'resolved');
    expect(resolved.alerts[0]?.status).toBe('resolved');
    // One notification per change, however many times the feed read the log.
    expect(received('/bff-ops').filter((p) => p.alerts[0]?.labels.subject_path === 'probe-b')).toHaveLength(
      2,
    );
    const pagerDuty = () =>
      receiver.requests
        .filter((request) => request.path === '/bff-pd')
        .map(
          (request) =>
            JSON.parse(request.body) as { event_action: string; dedup_key: string; routing_key: string },
        );
    await waitFor('PagerDuty told of the resolve', async () => pagerDuty().length === 2, NOTIFIED_TIMEOUT_MS);
    expect(pagerDuty().map((event) => [event.event_action, event.routing_key])).toEqual([
      ['trigger', 'TESTKEY'],
      ['resolve', 'TESTKEY'],
    ]);
    expect(pagerDuty()[1]!.dedup_key).toBe(pagerDuty()[0]!.dedup_key);
    await waitFor(
      'the on-call engineer emailed twice',
      async () => smtp.emails.length === 2,
      NOTIFIED_TIMEOUT_MS,
    );
    expect(smtp.emails.map((email) => [email.to, email.mail.subject])).toEqual([
      [['oncall@example.com'], '[FIRING critical] Node unreachable on probe-b'],
      [['oncall@example.com'], '[RESOLVED critical] Node unreachable on probe-b'],
    ]);
    expect(smtp.emails[0]!.mail.text).toContain('https://console.example.com/alerts?');
    // Who was told, as the console asks for it.
    const alertId = pagerDuty()[0]!.dedup_key;
    const told = await client.alerts.notifications.query({
      nodePath: firing.alerts[0]!.labels.node_path!,
      id: alertId,
    });
    expect(told.notifications.map((n) => [n.recipientName, n.channel, n.event, n.outcome]).sort()).toEqual(
      [
        ['bff-ops', 'webhook', 'firing', 'delivered'],
        ['bff-ops', 'webhook', 'resolved', 'delivered'],
        ['bff-pd', 'webhook', 'firing', 'delivered'],
        ['bff-pd', 'webhook', 'resolved', 'delivered'],
        ['oncall@example.com', 'email', 'firing', 'delivered'],
        ['oncall@example.com', 'email', 'resolved', 'delivered'],
      ].sort(),
    );
  });

  it('a district sends it through a route it got from fleet policy, and the BFF does not', async () => {
    const content: PolicyContent = {
      bundles: [
        {
          name: 'district pager',
          target: 'district-1',
          rules: [],
          silences: [],
          routes: [
            {
              id: 'district-pager',
              url: `${receiver.url}/district-pager`,
              minSeverity: 'warning',
              sendResolved: true,
              timeoutMs: 5000,
            },
          ],
          retention: {},
          declaredMetrics: [],
        },
      ],
    };
    const published = await client.policy.publish.mutate({ content, comment: 'page on lost probes' });
    await waitFor(
      'district-1 applied the route',
      async () => {
        const status = await client.policy.status.query({});
        const node = status.nodes.find((n) => n.path === 'district-1');
        return node?.state === 'applied' && node.appliedVersion === published.version;
      },
      60_000,
    );

    await probes.get('probe-a')!.stop();
    const firing = await notified('/district-pager', 'district-1/probe-a', 'firing');
    expect(firing).toMatchObject({ receiver: 'district-pager', status: 'firing' });
    expect(received('/bff-ops').some((p) => p.alerts[0]?.labels.subject_path === 'district-1/probe-a')).toBe(
      false,
    );
  });
});
