import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EscalationPolicy } from '@tierscope/shared';
import { waitFor } from '@tierscope/test-support/processes';
import { testDatabaseBackends } from '@tierscope/test-support/test-databases';
import { startTestReceiver, type TestReceiver } from '@tierscope/test-support/test-receiver';
import { startTestSmtpServer, type TestSmtpServer } from '@tierscope/test-support/test-smtp-server';
import { DeliveryWorker } from './delivery-worker.ts';
import { EscalationEngine } from './escalation-engine.ts';
import { createMailer, type Mailer } from './mailer.ts';
import { createOutboxStore, type OutboxStore } from './outbox-store.ts';
import {
  directRecipients,
  emailRecipient,
  pushRecipient,
  type RecipientDirectory,
  type RecipientUser,
} from './recipients.ts';
import { notifierTestDatabase, type NotifierTestDatabase } from './testing/notifier-database.ts';
import { createTestPushSubscriber, type TestPushSubscriber } from './testing/push-subscriber.ts';
import { testAlert } from './testing/test-alerts.ts';
import { generateVapidKeys, type AlertPush } from './web-push.ts';
import { WebhookAllowlistText } from './webhook-config.ts';

/*
 * A federating tier (the BFF) tells a person on each of their channels, within their scope and
 * role: a phone (known only here) at the owner's time, an email (which a tier below may have sent)
 * after the step delay; nothing outside their scope; no Ack on a viewer's phone.
 */
const logger = pino({ level: 'silent' });
const STEP_DELAY_MS = 30_000;

describe.each(testDatabaseBackends().slice(-1))('a user told on each channel on $name', ({ create }) => {
  let database: NotifierTestDatabase;
  let pushService: TestReceiver;
  let smtp: TestSmtpServer;
  let mailer: Mailer;
  let outbox: OutboxStore;
  let worker: DeliveryWorker;
  let engine: EscalationEngine;
  const phones = new Map<string, TestPushSubscriber>();
  let clock = testAlert().startedAt;

  const people: Record<string, RecipientUser & { email: string }> = {
    alice: { name: 'alice', email: 'alice@example.com', mayAck: true },
    vic: { name: 'vic', email: 'vic@example.com', mayAck: false },
    sam: { name: 'sam', email: 'sam@example.com', mayAck: true, scope: ['district-2'] },
  };

  beforeAll(async () => {
    [database, pushService, smtp] = await Promise.all([
      notifierTestDatabase(create),
      startTestReceiver(() => ({ status: 201 })),
      startTestSmtpServer(),
    ]);
    for (const name of Object.keys(people)) phones.set(name, createTestPushSubscriber());
    const directory: RecipientDirectory = async (target) => {
      if (!('user' in target)) return directRecipients(target);
      const { email, ...user } = people[target.user]!;
      return [
        emailRecipient(email, user),
        pushRecipient(`${pushService.url}/push/${user.name}`, phones.get(user.name)!.keys, user),
      ];
    };
    mailer = createMailer({ url: smtp.url, from: 'tierscope@example.com' });
    outbox = createOutboxStore(database.store);
    worker = new DeliveryWorker({
      outbox,
      webhooks: () => [],
      allowlist: WebhookAllowlistText.parse('127.0.0.1'),
      vapid: { subject: 'mailto:ops@example.com', ...generateVapidKeys() },
      mailer,
      logger,
      idleCheckMs: 50,
    });
    worker.start();
    engine = new EscalationEngine({
      database: database.store,
      outbox,
      policies: () => [
        EscalationPolicy.parse({
          id: 'oncall',
          steps: [{ afterMinutes: 0, notify: [{ user: 'alice' }, { user: 'vic' }, { user: 'sam' }] }],
        }),
      ],
      routes: () => [],
      directory,
      stepDelayMs: STEP_DELAY_MS,
      toldBelow: async () => new Set(),
      onQueued: () => worker.wake(),
      logger,
      now: () => clock,
    });
  });

  afterAll(async () => {
    await worker?.stop();
    mailer?.close();
    await Promise.all([database?.close(), pushService?.close(), smtp?.close()]);
  });

  const pushedTo = (name: string): AlertPush[] =>
    pushService.requests
      .filter((request) => request.path === `/push/${name}`)
      .map((request) => JSON.parse(phones.get(name)!.decrypt(request.rawBody)) as AlertPush);
  const emailedTo = (name: string) => smtp.emails.filter((email) => email.to.includes(people[name]!.email));

  it('pushes at the owner time, emails after the step delay, once each, and only to people in scope', async () => {
    const alert = testAlert({ severity: 'critical' });
    await engine.apply([{ kind: 'fired', at: alert.startedAt, alert }]);
    await engine.tick();
    await waitFor('alice and vic pushed', async () => pushService.requests.length === 2, 10_000);
    expect(smtp.emails).toHaveLength(0);

    clock = alert.startedAt + STEP_DELAY_MS;
    await engine.tick();
    await waitFor('alice and vic emailed', async () => smtp.emails.length === 2, 10_000);
    clock += 10 * 60_000;
    await engine.tick();

    for (const name of ['alice', 'vic']) {
      expect(pushedTo(name), name).toHaveLength(1);
      expect(emailedTo(name), name).toHaveLength(1);
    }
    // sam watches district-2; the alert is district-1's.
    expect(pushedTo('sam')).toHaveLength(0);
    expect(emailedTo('sam')).toHaveLength(0);
    expect(pushedTo('alice')[0]).toMatchObject({ alertId: alert.id, mayAck: true });
    expect(pushedTo('vic')[0]).toMatchObject({ alertId: alert.id, mayAck: false });
  });
});
