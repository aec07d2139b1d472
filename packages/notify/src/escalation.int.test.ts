import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EscalationPolicy, Webhook, type AlertChange } from '@tierscope/shared';
import { waitFor } from '@tierscope/test-support/processes';
import { testDatabaseBackends } from '@tierscope/test-support/test-databases';
import { startTestReceiver, type TestReceiver } from '@tierscope/test-support/test-receiver';
import { startTestSmtpServer, type TestSmtpServer } from '@tierscope/test-support/test-smtp-server';
import { DeliveryWorker } from './delivery-worker.ts';
import { EscalationEngine } from './escalation-engine.ts';
import { createMailer, type Mailer } from './mailer.ts';
import { createOutboxStore, type OutboxStore } from './outbox-store.ts';
import { directRecipients, emailRecipient, type RecipientDirectory } from './recipients.ts';
import { notifierTestDatabase, type NotifierTestDatabase } from './testing/notifier-database.ts';
import { testAlert } from './testing/test-alerts.ts';
import { WebhookAllowlistText } from './webhook-config.ts';

/*
 * Done-when 1 and 3 of issue 17 over real parts (PostgreSQL or PGlite, an SMTP server, an HTTP
 * endpoint standing in for PagerDuty) and a fake clock for the escalation's timing:
 *
 *   probe: escalation "probe-oncall" tells alice@example.com at once
 *   bff:   escalation "oncall" tells user alice and the PagerDuty route at once, user bob after 2 min
 */
const logger = pino({ level: 'silent' });
const allowlist = WebhookAllowlistText.parse('127.0.0.1');
const CONSOLE_URL = 'https://console.example.com';
const MINUTE = 60_000;
const BFF_STEP_DELAY_MS = 30_000;
const users: Record<string, string> = { alice: 'alice@example.com', bob: 'bob@example.com' };

/** The BFF's directory: users by name (the rest as every tier resolves them). */
const bffDirectory: RecipientDirectory = async (target) =>
  'user' in target
    ? users[target.user]
      ? [emailRecipient(users[target.user]!, { name: target.user })]
      : []
    : directRecipients(target);

// One backend: PostgreSQL when the tests have it (the outbox's SQL is proven on both elsewhere).
describe.each(testDatabaseBackends().slice(-1))('escalation across tiers on $name', ({ create }) => {
  let probeDb: NotifierTestDatabase;
  let bffDb: NotifierTestDatabase;
  let smtp: TestSmtpServer;
  let pagerDuty: TestReceiver;
  let mailer: Mailer;
  const workers: DeliveryWorker[] = [];
  let clock = testAlert().startedAt;

  interface Tier {
    outbox: OutboxStore;
    engine: EscalationEngine;
  }
  let probe: Tier;
  let bff: Tier;

  function tier(
    database: NotifierTestDatabase,
    policy: EscalationPolicy,
    routes: Webhook[],
    extra: Partial<ConstructorParameters<typeof EscalationEngine>[0]>,
  ): Tier {
    const outbox = createOutboxStore(database.store);
    const worker = new DeliveryWorker({
      outbox,
      webhooks: () => routes,
      allowlist,
      mailer,
      logger,
      idleCheckMs: 50,
    });
    worker.start();
    workers.push(worker);
    const engine = new EscalationEngine({
      database: database.store,
      outbox,
      policies: () => [policy],
      routes: () => routes,
      onQueued: () => worker.wake(),
      logger,
      links: { externalUrl: CONSOLE_URL },
      now: () => clock,
      ...extra,
    });
    return { outbox, engine };
  }

  beforeAll(async () => {
    [probeDb, bffDb, smtp, pagerDuty] = await Promise.all([
      notifierTestDatabase(create),
      notifierTestDatabase(create),
      startTestSmtpServer(),
      startTestReceiver(() => ({ status: 202 })),
    ]);
    mailer = createMailer({ url: smtp.url, from: 'tierscope@example.com' });
    const pdRoute = Webhook.parse({
      id: 'pd',
      kind: 'pagerduty',
      url: `${pagerDuty.url}/v2/enqueue`,
      routingKey: 'R0UT1NGKEY',
    });
    probe = tier(
      probeDb,
      EscalationPolicy.parse({
        id: 'probe-oncall',
        steps: [{ afterMinutes: 0, notify: [{ email: users.alice }] }],
      }),
      [],
      {},
    );
    bff = tier(
      bffDb,
      EscalationPolicy.parse({
        id: 'oncall',
        steps: [
          { afterMinutes: 0, notify: [{ user: 'alice' }, { route: 'pd' }] },
          { afterMinutes: 2, notify: [{ user: 'bob' }] },
        ],
        repeatMinutes: 10,
      }),
      [pdRoute],
      {
        directory: bffDirectory,
        stepDelayMs: BFF_STEP_DELAY_MS,
        toldBelow: async (alert) => new Set((await probe.outbox.forAlert(alert.id)).map((n) => n.recipient)),
      },
    );
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    mailer?.close();
    await Promise.all([probeDb?.close(), bffDb?.close(), smtp?.close(), pagerDuty?.close()]);
  });

  /** The change reaches both tiers (the probe raised it; the BFF hears it on the alert stream). */
  async function change(kind: AlertChange['kind'], overrides: Parameters<typeof testAlert>[0] = {}) {
    const alert = testAlert({ severity: 'critical', ...overrides });
    await probe.engine.apply([{ kind, at: clock, alert }]);
    await bff.engine.apply([{ kind, at: clock, alert }]);
  }
  async function advanceTo(at: number) {
    clock = at;
    await probe.engine.tick();
    await bff.engine.tick();
  }
  const emailsTo = (address: string) => smtp.emails.filter((email) => email.to.includes(address));
  const pdEvents = () =>
    pagerDuty.requests.map((request) => JSON.parse(request.body) as Record<string, unknown>);

  it('tells alice, then bob after 2 minutes, stops at the ack, sends the resolve to both, and alice hears each once though both tiers route to her', async () => {
    const alert = testAlert();
    const t0 = alert.startedAt;
    await change('fired');
    await advanceTo(t0 + BFF_STEP_DELAY_MS);
    await waitFor(
      'alice emailed and PagerDuty triggered',
      async () => emailsTo(users.alice!).length === 1 && pdEvents().length === 1,
      10_000,
    );
    expect(emailsTo(users.bob!)).toHaveLength(0);

    await advanceTo(t0 + 1 * MINUTE + BFF_STEP_DELAY_MS);
    expect(await bff.outbox.forAlert(alert.id)).toHaveLength(1); // PagerDuty only: bob's turn has not come
    await advanceTo(t0 + 2 * MINUTE + BFF_STEP_DELAY_MS);
    await waitFor('bob emailed', async () => emailsTo(users.bob!).length === 1, 10_000);

    await change('acked', { severity: 'critical', ack: { by: 'alice', at: clock, note: '' } });
    await advanceTo(t0 + 60 * MINUTE);
    await waitFor('PagerDuty acknowledged', async () => pdEvents().length === 2, 10_000);

    await change('resolved', { severity: 'critical', state: 'resolved', resolvedAt: clock });
    await waitFor(
      'the resolve reached alice, bob and PagerDuty',
      async () =>
        emailsTo(users.alice!).length === 2 && emailsTo(users.bob!).length === 2 && pdEvents().length === 3,
      10_000,
    );

    // Each person: one firing (no repeat after the ack; alice not told again by the BFF), one resolve.
    for (const address of [users.alice!, users.bob!]) {
      expect(emailsTo(address).map((email) => email.mail.subject)).toEqual([
        `[FIRING critical] Temperature high on sensor-1`,
        `[RESOLVED critical] Temperature high on sensor-1`,
      ]);
    }
    const link = `${CONSOLE_URL}/alerts?nodePath=district-1%2Fprobe-a&id=${encodeURIComponent(alert.id)}`;
    const firing = emailsTo(users.bob!)[0]!.mail;
    expect(firing.text).toContain(`Open the alert: ${link}`);
    expect(firing.html).toContain(`href="${link.replaceAll('&', '&amp;')}"`);
    expect(emailsTo(users.bob!)[1]!.mail.inReplyTo).toBe(firing.messageId);

    expect(pdEvents().map((event) => [event.event_action, event.dedup_key, event.routing_key])).toEqual([
      ['trigger', alert.id, 'R0UT1NGKEY'],
      ['acknowledge', alert.id, 'R0UT1NGKEY'],
      ['resolve', alert.id, 'R0UT1NGKEY'],
    ]);

    // Who was told, how and how it went, at each tier.
    const atBff = await bff.outbox.forAlert(alert.id);
    expect(atBff.map((n) => [n.recipientName, n.channel, n.event, n.deliveredAt !== null])).toEqual([
      ['pd', 'webhook', 'firing', true],
      ['bob', 'email', 'firing', true],
      ['pd', 'webhook', 'acknowledged', true],
      ['pd', 'webhook', 'resolved', true],
      ['bob', 'email', 'resolved', true],
    ]);
    const atProbe = await probe.outbox.forAlert(alert.id);
    expect(atProbe.map((n) => [n.recipient, n.event])).toEqual([
      ['email:alice@example.com', 'firing'],
      ['email:alice@example.com', 'resolved'],
    ]);
  });
});
