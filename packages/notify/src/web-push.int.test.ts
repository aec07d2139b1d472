import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EscalationPolicy } from '@tierscope/shared';
import { waitFor } from '@tierscope/test-support/processes';
import { testDatabaseBackends } from '@tierscope/test-support/test-databases';
import { startTestReceiver, type TestReceiver } from '@tierscope/test-support/test-receiver';
import { DeliveryWorker } from './delivery-worker.ts';
import { EscalationEngine, type EscalationEngineOptions } from './escalation-engine.ts';
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

/** An engine whose one policy tells the user alice at once of every alert. */
function aliceAtOnce(
  options: Pick<EscalationEngineOptions, 'database' | 'outbox' | 'directory' | 'onQueued'>,
): EscalationEngine {
  return new EscalationEngine({
    ...options,
    policies: () => [
      EscalationPolicy.parse({ id: 'oncall', steps: [{ afterMinutes: 0, notify: [{ user: 'alice' }] }] }),
    ],
    routes: () => [],
    logger,
    links: { externalUrl: CONSOLE_URL },
  });
}

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
    engine = aliceAtOnce({ database: database.store, outbox, directory, onQueued: () => worker.wake() });
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

describe.each(testDatabaseBackends())('a burst of alerts pushed to a phone on $name', ({ create }) => {
  let database: NotifierTestDatabase;
  let pushService: TestReceiver;
  let outbox: OutboxStore;
  let engine: EscalationEngine;
  let phone: TestPushSubscriber;
  const workers: DeliveryWorker[] = [];
  /** How long the push service takes to answer. */
  let answerAfterMs = 0;

  beforeAll(async () => {
    [database, pushService] = await Promise.all([
      notifierTestDatabase(create),
      startTestReceiver(() => ({ status: 201, delayMs: answerAfterMs })),
    ]);
    phone = createTestPushSubscriber();
    const endpoint = `${pushService.url}/push/alice-phone`;
    outbox = createOutboxStore(database.store);
    // Two workers on one outbox, as two BFF replicas run them; a claimed row is leased for only
    // 100 ms past the longest send (no routes here), so only the push's own budget covers a slow answer.
    for (let i = 0; i < 2; i++) {
      const worker = new DeliveryWorker({
        outbox,
        webhooks: () => [],
        allowlist,
        vapid,
        logger,
        idleCheckMs: 50,
        leaseMarginMs: 100,
      });
      worker.start();
      workers.push(worker);
    }
    engine = aliceAtOnce({
      database: database.store,
      outbox,
      directory: async () => [pushRecipient(endpoint, phone.keys, { name: 'alice' })],
      onQueued: () => workers.forEach((worker) => worker.wake()),
    });
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await Promise.all([database?.close(), pushService?.close()]);
  });

  const firedAlerts = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) =>
      testAlert({ id: `${prefix}-${i}:1`, fingerprint: `${prefix}-${i}`, severity: 'critical' }),
    );
  const pushedAlertIds = (from: number) =>
    pushService.requests
      .slice(from)
      .map((request) => (JSON.parse(phone.decrypt(request.rawBody)) as AlertPush).alertId);

  it('tells the phone of every alert fired together exactly once, each worker signing one VAPID token for them all', async () => {
    const alerts = firedAlerts('burst', 40);
    await engine.apply(alerts.map((alert) => ({ kind: 'fired' as const, at: alert.startedAt, alert })));
    await engine.tick();
    await waitFor('every alert pushed', async () => pushService.requests.length >= 40, 20_000);
    await waitFor('every push recorded delivered', async () => (await outbox.pendingCount()) === 0, 10_000);

    expect(pushedAlertIds(0).sort()).toEqual(alerts.map((alert) => alert.id).sort());
    // One token per worker (each replica signs its own), where signing per push made 40.
    const tokens = new Set(pushService.requests.map((request) => request.headers.authorization));
    expect(tokens.size).toBeLessThanOrEqual(workers.length);
    expect(verifyVapid(pushService.requests[0]!.headers, vapid.publicKey).sub).toBe('mailto:ops@example.com');
    // A second tick finds nothing due: each escalation advanced past its only step.
    expect(await engine.tick()).toBe(0);
  });

  it('sends a push once while the push service is slower to answer than the lease margin', async () => {
    answerAfterMs = 1500;
    const before = pushService.requests.length;
    const alerts = firedAlerts('slow', 4);
    await engine.apply(alerts.map((alert) => ({ kind: 'fired' as const, at: alert.startedAt, alert })));
    await engine.tick();
    await waitFor('every push recorded delivered', async () => (await outbox.pendingCount()) === 0, 20_000);
    // Past the margin several times over: a second claim of a row still in flight would have sent it again.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(pushedAlertIds(before).sort()).toEqual(alerts.map((alert) => alert.id).sort());
  });
});
