import { publishingDevice, publishLevel } from '../alert-rules.ts';
import { storageStateOf, type ApiClient } from '../api-client.ts';
import { expect, test } from '../fixtures.ts';
import { AlertsPage } from '../pages/alerts-page.ts';

const SEVERITIES = ['critical', 'warning', 'info'] as const;

/** Firing and flapping alerts by severity, as the BFF's API answers over HTTP. */
async function firingCounts(api: ApiClient): Promise<Record<(typeof SEVERITIES)[number], string>> {
  const page = await api.alerts.list.query({ states: ['firing', 'flapping'], limit: 500 });
  expect(page.coverage.answered).toBe(page.coverage.asked);
  expect(page.nextCursor).toBeNull();
  const count = (severity: string) => page.items.filter((alert) => alert.severity === severity).length;
  return { critical: `${count('critical')}`, warning: `${count('warning')}`, info: `${count('info')}` };
}

test.describe('alerts', () => {
  test("the overview's firing alerts by severity are the API's", async ({ overviewPage, api }) => {
    await overviewPage.goto();
    await expect(overviewPage.alerts.coverage).toHaveText(/✓\d+ of \d+ nodes$/);
    const shown = async () =>
      Object.fromEntries(
        await Promise.all(
          SEVERITIES.map(async (severity) => [severity, await overviewPage.alertCount(severity).innerText()]),
        ),
      ) as Record<(typeof SEVERITIES)[number], string>;
    // Alerts may fire or resolve between two reads: the screen must settle on what the API says.
    await expect
      .poll(async () => JSON.stringify(await shown()) === JSON.stringify(await firingCounts(api)), {
        message: 'the overview shows the counts alerts.list gives',
      })
      .toBe(true);
    // The deployment's rules fire on every probe: none of the counts is zero.
    for (const severity of SEVERITIES) await expect(overviewPage.alertCount(severity)).not.toHaveText('0');

    // Each count links into the alerts page, filtered the same way.
    await overviewPage.alerts.root.getByTestId('alert-count-critical').click();
    await expect(overviewPage.page).toHaveURL(/\/alerts\?state=firing&severity=critical$/);
    const alertsPage = new AlertsPage(overviewPage.page);
    await expect(alertsPage.rows.first()).toHaveAttribute('data-severity', 'critical');
    await expect(alertsPage.rows).toHaveCount(Number((await firingCounts(api)).critical));
  });

  test('an alert in the global list drills down to its device on its owning probe', async ({
    alertsPage,
    devicePage,
    nodePage,
    page,
    deployment,
  }) => {
    await alertsPage.goto('?severity=warning');
    await expect(page.getByRole('combobox', { name: 'Severity' })).toHaveValue('warning');
    await expect(alertsPage.list.coverage).toHaveText(/✓\d+ of \d+ nodes$/);
    // The list is live and re-sorts as alerts fire: read the first row at once, then hold on to it by id.
    const { nodePath, id: alertId, deviceId } = await alertsPage.keysAt(0);
    expect(deployment.nodes.filter((n) => n.id.startsWith('probe-')).map((n) => n.path)).toContain(nodePath);

    await alertsPage.row(nodePath, alertId).getByRole('link', { name: deviceId, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/devices/${deviceId}\\?node=${nodePath}`));
    await expect(devicePage.heading).toHaveText(deviceId);
    await expect(devicePage.owningNode).toHaveText(nodePath);
    // The device page lists the device's alerts from its owning node, this one among them.
    await expect(devicePage.alerts.coverage).toHaveText('✓1 of 1 node');
    await expect(alertsPage.row(nodePath, alertId)).toBeVisible();

    await page.goBack();
    await alertsPage.row(nodePath, alertId).getByRole('link', { name: nodePath, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/nodes/${nodePath}$`));
    await expect(nodePage.status).toHaveText('live');
  });

  test('keeps filters in the URL and filters the live list by node and text', async ({
    alertsPage,
    page,
  }) => {
    await alertsPage.goto('?node=probe-d&q=humidity');
    await expect(page.getByRole('combobox', { name: 'Node' })).toHaveValue('probe-d');
    await expect(page.getByRole('searchbox', { name: 'Search' })).toHaveValue('humidity');
    await expect(alertsPage.rows.first()).toBeVisible();
    for (const row of await alertsPage.rows.all()) {
      await expect(row).toHaveAttribute('data-node', 'probe-d');
      await expect(row).toContainText('Humidity');
    }
    await page.getByRole('combobox', { name: 'State' }).selectOption('resolved');
    await expect(page).toHaveURL(/state=resolved/);
    await expect(page.getByRole('region', { name: 'Resolved alerts' })).toBeVisible();
  });

  test('a sample published over MQTT to a probe shows up in the open list without a reload', async ({
    alertsPage,
    deployment,
    page,
    api,
  }) => {
    const probe = deployment.nodes.find((node) => node.id === 'probe-d')!;
    const deviceId = publishingDevice(1);
    await alertsPage.goto(`?node=${probe.path}&device=${deviceId}`);
    await expect(alertsPage.list.root.getByText('No alerts match')).toBeVisible();
    const critical = Number((await firingCounts(api)).critical);
    const titled = (count: number) => new RegExp(`^${count > 0 ? `\\(${count}\\) ` : ''}Alerts · `);
    await expect(page).toHaveTitle(titled(critical));

    await publishLevel(probe.mqttUrl, deviceId, 500);
    const row = alertsPage.rows.first();
    await expect(row).toContainText('Level above 100');
    await expect(row).toHaveAttribute('data-state', 'firing');
    await expect(row).toHaveAttribute('data-node', probe.path);
    // A new critical alert counts in the tab's title on every page.
    await expect(page).toHaveTitle(titled(critical + 1));

    // Back under the threshold, it resolves (after the engine's clear time) and leaves the list.
    await publishLevel(probe.mqttUrl, deviceId, 10);
    await expect(alertsPage.rows).toHaveCount(0, { timeout: 30_000 });
    await expect(page).toHaveTitle(titled(critical));
  });
});

test.describe('acking from a phone', () => {
  test('an alert acked at 390×844 shows acked on the open desktop view at once', async ({
    browser,
    deployment,
    api,
  }) => {
    const session = storageStateOf(deployment.bffUrl, deployment.adminSession);
    const desktop = await browser.newContext({
      baseURL: deployment.bffUrl,
      storageState: session,
      viewport: { width: 1440, height: 900 },
    });
    const phone = await browser.newContext({
      baseURL: deployment.bffUrl,
      storageState: session,
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      const onDesktop = new AlertsPage(await desktop.newPage());
      const onPhone = new AlertsPage(await phone.newPage());
      await onDesktop.goto('?severity=critical');
      // A rule's alert (a node-unreachable one may come and go with a missed heartbeat on a busy machine).
      const unacked = onDesktop.rows
        .and(onDesktop.page.locator('[data-acked="false"][data-alert-id^="motor-overheat:"]'))
        .first();
      const { nodePath, id } = await onDesktop.keysOf(unacked);

      await onPhone.goto(`?severity=critical&node=${nodePath}`);
      const row = onPhone.row(nodePath, id);
      await row.getByRole('button', { name: /^Ack / }).tap();
      const note = `on my way ${Date.now()}`;
      await row.getByRole('textbox', { name: 'Note (optional)' }).fill(note);
      await row.getByRole('button', { name: 'Ack alert' }).tap();
      await expect(onPhone.ackOf(row)).toContainText(note);

      // The desktop view was not reloaded: the ack arrived over its alert stream. (Who acked reads
      // "console" for an HTTP child; an uplink child records its parent until the uplink carries
      // the acting user: docs/decisions/0008.)
      const onDesktopRow = onDesktop.row(nodePath, id);
      await expect(onDesktopRow).toHaveAttribute('data-acked', 'true');
      await expect(onDesktop.ackOf(onDesktopRow)).toContainText(note);
      const acked = (
        await api.alerts.list.query({ nodePath, states: ['firing', 'flapping'], limit: 500 })
      ).items.find((alert) => alert.id === id);
      expect(acked?.ack?.note).toBe(note);

      // Unack from the desktop: the phone follows.
      await onDesktopRow.getByRole('button', { name: /^Unack / }).click();
      await expect(onPhone.ackOf(row)).toHaveCount(0);
    } finally {
      await desktop.close();
      await phone.close();
    }
  });
});
