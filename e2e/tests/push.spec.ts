import type { CDPSession, Page } from '@playwright/test';
import type { AlertPush } from '@tierscope/notify';
import { createTestPushSubscriber } from '@tierscope/notify/testing/push-subscriber.ts';
import { PolicyBundle, type EscalationPolicy, type PolicyContent } from '@tierscope/shared';
import { startTestReceiver, type TestReceiver } from '@tierscope/test-support/test-receiver';
import { publishingDevice, publishLevel } from '../alert-rules.ts';
import { storageStateOf } from '../api-client.ts';
import { expect, test } from '../fixtures.ts';
import { AlertsPage } from '../pages/alerts-page.ts';

// Issue 17, done-when 2 (the browser's half): the BFF pushes an alert to a phone; the push, as the
// BFF encrypted it and a local endpoint standing in for the push service decrypted it, is delivered
// to the console's service worker through the DevTools protocol (no push service exists on a closed
// network). The worker shows the notification; its Ack action acks the alert as the signed-in user,
// and an open desktop console shows the ack.

const DEVICE = publishingDevice(4);
const ESCALATION: EscalationPolicy = {
  id: 'e2e-oncall',
  minSeverity: 'critical',
  matchers: { ruleId: 'e2e-level' },
  steps: [{ afterMinutes: 0, notify: [{ user: 'admin' }] }],
  sendResolved: true,
};

interface ShownNotification {
  title: string;
  body: string;
  tag: string;
  actions: string[];
}

/** The notifications the console's service worker shows now, as the page's registration lists them. */
function shownNotifications(page: Page): Promise<ShownNotification[]> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    const shown = await registration.getNotifications();
    return shown.map((n) => ({
      title: n.title,
      body: n.body,
      tag: n.tag,
      actions: ((n as Notification & { actions?: { action: string }[] }).actions ?? []).map((a) => a.action),
    }));
  });
}

/** The console's service worker registration id, as the DevTools protocol names it. */
async function registrationIdOf(cdp: CDPSession, scope: string): Promise<string> {
  const found = new Promise<string>((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const ours = registrations.find((r) => r.scopeURL === scope && !r.isDeleted);
      if (ours) resolve(ours.registrationId);
    });
  });
  await cdp.send('ServiceWorker.enable');
  return found;
}

test.describe('alerts pushed to the installed console', () => {
  let pushService: TestReceiver;

  test.beforeAll(async () => {
    pushService = await startTestReceiver(() => ({ status: 201 }));
  });
  test.afterAll(async () => {
    await pushService?.close();
  });

  test('a push delivered to the service worker shows the alert, and its Ack acks it on an open desktop console', async ({
    api,
    browser,
    deployment,
  }) => {
    const probe = deployment.nodes.find((node) => node.id === 'probe-d')!;
    const phoneKeys = createTestPushSubscriber();
    const endpoint = `${pushService.url}/push/e2e-phone`;

    // The admin's phone subscribes (its browser would hand the console this endpoint and keys), and
    // a fleet escalation tells the admin of the e2e rule's alerts.
    await api.console.notifications.subscribePush.mutate({ endpoint, keys: phoneKeys.keys });
    const [latest] = (await api.policy.versions.query({})).versions;
    const current: PolicyContent = latest
      ? (await api.policy.version.query({ version: latest.version })).content
      : { bundles: [] };
    const onCall: PolicyContent = {
      bundles: [
        ...current.bundles,
        PolicyBundle.parse({ name: 'e2e on call', target: '**', escalations: [ESCALATION] }),
      ],
    };
    const published = await api.policy.publish.mutate({ content: onCall, comment: 'e2e: page the admin' });

    const session = storageStateOf(deployment.bffUrl, deployment.adminSession);
    const phone = await browser.newContext({
      baseURL: deployment.bffUrl,
      storageState: session,
      serviceWorkers: 'allow',
      permissions: ['notifications'],
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const desktop = await browser.newContext({ baseURL: deployment.bffUrl, storageState: session });
    try {
      const phonePage = await phone.newPage();
      await phonePage.goto('/alerts');
      await phonePage.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
        timeout: 30_000,
      });
      const cdp = await phone.newCDPSession(phonePage);
      const registrationId = await registrationIdOf(cdp, `${deployment.bffUrl}/`);

      const alertsPage = new AlertsPage(await desktop.newPage());
      await alertsPage.goto(`?node=${probe.path}&device=${DEVICE}`);

      // The alert fires at probe-d; the BFF's escalation pushes it to the phone's endpoint.
      await publishLevel(probe.mqttUrl, DEVICE, 150);
      let push: AlertPush | undefined;
      let sent = '';
      await expect
        .poll(
          () => {
            for (const request of pushService.requests) {
              const text = phoneKeys.decrypt(request.rawBody);
              const candidate = JSON.parse(text) as AlertPush;
              if (candidate.event === 'firing' && candidate.body.startsWith(DEVICE))
                [push, sent] = [candidate, text];
            }
            return push !== undefined;
          },
          { message: 'the BFF pushed the alert to the phone', timeout: 30_000 },
        )
        .toBe(true);
      expect(push).toMatchObject({ nodePath: probe.path, severity: 'critical', mayAck: true });

      // The push service's delivery, as the browser's push service would make it.
      await cdp.send('ServiceWorker.deliverPushMessage', {
        origin: deployment.bffUrl,
        registrationId,
        data: sent,
      });
      await expect
        .poll(async () => (await shownNotifications(phonePage)).find((n) => n.tag === push!.tag), {
          message: 'the service worker shows the notification',
        })
        .toMatchObject({
          title: 'Firing critical: Level above 100',
          body: expect.stringContaining(`${DEVICE} · ${probe.path}`),
          actions: ['ack'],
        });

      // The user taps Ack: the service worker gets the notification's click with the Ack action.
      const [worker] = phone.serviceWorkers();
      await worker!.evaluate(async (tag) => {
        const scope = globalThis as unknown as {
          registration: ServiceWorkerRegistration;
          NotificationEvent: new (
            type: string,
            init: { notification: Notification; action: string },
          ) => Event;
        };
        const [notification] = await scope.registration.getNotifications({ tag });
        // An event made here is not trusted, so its waitUntil throws once the ack has started.
        try {
          globalThis.dispatchEvent(
            new scope.NotificationEvent('notificationclick', { notification: notification!, action: 'ack' }),
          );
        } catch {
          // The listener's error is the worker's, reported to its console.
        }
      }, push!.tag);

      // The open desktop console shows it acked, live.
      const row = alertsPage.row(push!.nodePath, push!.alertId);
      await expect(alertsPage.ackOf(row)).toContainText('admin', { timeout: 30_000 });
      await expect(alertsPage.ackOf(row)).toContainText('acked from a notification');
      const { items } = await api.alerts.list.query({ states: ['firing'], limit: 500 });
      expect(items.find((alert) => alert.id === push!.alertId)?.ack).toMatchObject({
        by: 'admin',
        note: 'acked from a notification',
      });
      await expect
        .poll(async () => (await shownNotifications(phonePage)).map((n) => n.tag))
        .not.toContain(push!.tag);

      // A viewer's push offers no Ack: the same alert, as a viewer's phone would get it.
      await cdp.send('ServiceWorker.deliverPushMessage', {
        origin: deployment.bffUrl,
        registrationId,
        data: JSON.stringify({ ...push, tag: `${push!.tag}:viewer`, mayAck: false }),
      });
      await expect
        .poll(async () => (await shownNotifications(phonePage)).find((n) => n.tag === `${push!.tag}:viewer`))
        .toMatchObject({ actions: [] });
      await phonePage.screenshot({ path: new URL('../artifacts/push-phone.png', import.meta.url).pathname });
    } finally {
      await publishLevel(probe.mqttUrl, DEVICE, 10);
      await api.console.notifications.unsubscribePush.mutate({ endpoint }).catch(() => undefined);
      if (latest) await api.policy.rollback.mutate({ version: latest.version, comment: 'e2e: paging done' });
      expect(published.version).toBeGreaterThan(latest?.version ?? 0);
      await Promise.all([phone.close(), desktop.close()]);
    }
  });

  test('a browser that cannot reach its push service is told so plainly, and a subscription is removed from My sessions', async ({
    api,
    browser,
    deployment,
    page,
  }) => {
    // This machine's network reaches no vendor push service: subscribing must say so, not hang.
    const context = await browser.newContext({
      baseURL: deployment.bffUrl,
      storageState: storageStateOf(deployment.bffUrl, deployment.adminSession),
      serviceWorkers: 'allow',
      permissions: ['notifications'],
    });
    try {
      const settings = await context.newPage();
      await settings.goto('/account/notifications');
      await settings.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
        timeout: 30_000,
      });
      await settings.getByRole('button', { name: 'Send alerts to this browser' }).click();
      await expect(settings.getByTestId('browser-push').getByRole('alert')).toContainText(
        'This browser cannot reach its push service',
        { timeout: 40_000 },
      );
    } finally {
      await context.close();
    }

    const endpoint = `${pushService.url}/push/lost-phone`;
    await api.console.notifications.subscribePush.mutate({ endpoint, keys: createTestPushSubscriber().keys });
    await page.goto('/account/sessions');
    const panel = page.getByTestId('push-subscriptions-panel');
    const row = panel.getByTestId('push-subscription').filter({ hasText: new URL(endpoint).host });
    await expect(row).toHaveCount(1);
    await row.getByRole('button', { name: /^Stop alert pushes through/ }).click();
    await expect(row).toHaveCount(0);
    expect(
      (await api.console.notifications.get.query()).pushSubscriptions.map((s) => s.endpoint),
    ).not.toContain(endpoint);
  });
});
