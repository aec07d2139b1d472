import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EscalationPolicy } from '@tierscope/shared';
import { waitFor } from '@tierscope/test-support/processes';
import { testDatabaseBackends } from '@tierscope/test-support/test-databases';
import { startTestReceiver, type TestReceiver } from '@tierscope/test-support/test-receiver';
import { DeliveryWorker } from './delivery-worker.ts';
import { EscalationEngine } from './escalation-engine.ts';
import { createOutboxStore, type OutboxStore } from './outbox-store.ts';
import { directRecipients, pushRecipient, type RecipientDirectory } from './recipients.ts';
import { notifierTestDatabase, type NotifierTestDatabase } from './testing/notifier-database.ts';
import { createTestPushSubscriber, verifyVapid, type TestPushSubscriber } from './testing/push-subscriber.ts';
import { testAlert } from './testing/test-alerts.ts';
import { generateVapidKeys, type AlertPush, type VapidSettings } from './web-push.ts';
import { WebhookAllowlistText } from './webhook-config.ts';

/*
 * Issue 17, done-when 2 (the server's half): an escalation tells a user on their phone. A local
 * endpoint stands in for the push service; it checks the VAPID signature with the tier's public
 * key and decrypts the payload with the subscription's keys, as a browser would (RFC 8291).
 */
const logger = pino({ level: 'silent' });
const allowlist = WebhookAllowlistText.parse('127.0.0.1');
const CONSOLE_URL = 'https://console.example.com';
const vapid: VapidSettings = { subject: 'mailto:ops@example.com', ...generateVapidKeys() };

describe.each(testDatabaseBackends().slice(-1))('alerts pushed to a phone on $name', ({ create }) => {
  let database: NotifierTestDatabase;
  let pushService: TestReceiver;
  let outbox: OutboxStore;
  let worker: DeliveryWorker;
  let engine: EscalationEngine;
  let phone: TestPushSubscriber;
  let gone: string[];
  /** The push service's answer to each request: 201, or 410 once the phone is gone. */
  let answer = 201;

  beforeAll(async () => {
    [database, pushService] = await Promise.all([
      notifierTestDatabase(create),
      startTestReceiver(() => ({ status: answer })),
    ]);
    phone = createTestPushSubscriber();
    gone = [];
    const endpoint = `${pushService.url}/push/alice-phone`;
    const directory: RecipientDirectory = async (target) =>
      'user' in target && target.user === 'alice'
        ? [pushRecipient(endpoint, phone.keys, { name: 'alice' })]
        : directRecipients(target);
    outbox = createOutboxStore(database.store);
    worker = new DeliveryWorker({
      outbox,
      webhooks: () => [],
      allowlist,
      vapid,
      onSubscriptionGone: async (endpoint) => void gone.push(endpoint),
      logger,
      idleCheckMs: 50,
      retry: { baseDelayMs: 20, maxDelayMs: 50 },
    });
    worker.start();
    engine = new EscalationEngine({
      database: database.store,
      outbox,
      policies: () => [
        EscalationPolicy.parse({ id: 'oncall', steps: [{ afterMinutes: 0, notify: [{ user: 'alice' }] }] }),
      ],
      routes: () => [],
      directory,
      onQueued: () => worker.wake(),
      logger,
      links: { externalUrl: CONSOLE_URL },
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await Promise.all([database?.close(), pushService?.close()]);
  });

  const decrypted = () =>
    pushService.requests.map((request) => JSON.parse(phone.decrypt(request.rawBody)) as AlertPush);

  it('sends a push the push service accepts (VAPID) and only the phone can read, naming the alert', async () => {
    const alert = testAlert({ severity: 'critical' });
    await engine.apply([{ kind: 'fired', at: alert.startedAt, alert }]);
    await engine.tick();
    await waitFor('the push service reached', async () => pushService.requests.length === 1, 10_000);

    const [request] = pushService.requests;
    expect(request!.path).toBe('/push/alice-phone');
    const claims = verifyVapid(request!.headers, vapid.publicKey);
    expect(claims.aud).toBe(new URL(pushService.url).origin);
    expect(claims.sub).toBe('mailto:ops@example.com');
    expect(claims.exp * 1000).toBeGreaterThan(Date.now());
    expect(request!.headers['content-encoding']).toBe('aes128gcm');
    expect(request!.headers.urgency).toBe('high');
    // The body is ciphertext: the alert's words are nowhere in it.
    expect(request!.rawBody.includes(Buffer.from('Temperature'))).toBe(false);

    expect(decrypted()).toEqual([
      expect.objectContaining({
        title: 'Firing critical: Temperature high',
        alertId: alert.id,
        nodePath: 'district-1/probe-a',
        event: 'firing',
        url: `${CONSOLE_URL}/alerts?nodePath=district-1%2Fprobe-a&id=${encodeURIComponent(alert.id)}`,
      }),
    ]);
    const [stored] = await outbox.forAlert(alert.id);
    expect(stored).toMatchObject({ channel: 'push', recipientName: 'alice', event: 'firing' });
    expect(stored!.deliveredAt).not.toBeNull();
  });

  it('tells the phone the alert resolved, replacing the firing notification (same tag)', async () => {
    const alert = testAlert({ severity: 'critical' });
    await engine.apply([
      {
        kind: 'resolved',
        at: alert.startedAt + 60_000,
        alert: { ...alert, state: 'resolved', resolvedAt: alert.startedAt + 60_000 },
      },
    ]);
    await waitFor('the resolve pushed', async () => pushService.requests.length === 2, 10_000);
    const [firing, resolved] = decrypted();
    expect(resolved).toMatchObject({ event: 'resolved', title: 'Resolved critical: Temperature high' });
    expect(resolved!.tag).toBe(firing!.tag);
  });

  it('forgets a subscription the push service says is gone, and does not retry it', async () => {
    answer = 410;
    const alert = testAlert({
      id: 'temp-high:sensor-2:1',
      fingerprint: 'temp-high:sensor-2',
      deviceId: 'sensor-2',
    });
    await engine.apply([{ kind: 'fired', at: alert.startedAt, alert }]);
    await engine.tick();
    await waitFor('the gone subscription reported', async () => gone.length === 1, 10_000);
    expect(gone).toEqual([`${pushService.url}/push/alice-phone`]);
    await waitFor(
      'the push failed for good',
      async () => (await outbox.forAlert(alert.id))[0]?.failedAt != null,
      10_000,
    );
    expect((await outbox.forAlert(alert.id))[0]).toMatchObject({ attempts: 1, lastError: 'HTTP 410' });
  });
});
