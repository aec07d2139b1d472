import { expect, test } from '../fixtures.ts';
import { recordTrpcCalls } from '../trpc-calls.ts';

test.describe('devices', () => {
  test('drills down from the global list to a device page on its owning probe', async ({
    devicesPage,
    devicePage,
    page,
    deployment,
  }) => {
    await devicesPage.goto();
    await expect(devicesPage.list.coverage).toHaveText(/✓\d+ of \d+ nodes/);
    const row = devicesPage.rows.first();
    const deviceName = (await row.getByRole('cell').first().innerText()).trim();
    const nodePath = (await row.getByRole('cell').nth(2).innerText()).trim();
    expect(deployment.nodes.map((n) => n.path)).toContain(nodePath);

    await row.getByRole('link', { name: deviceName }).click();
    await expect(page).toHaveURL(new RegExp(`/devices/${deviceName}\\?node=${nodePath}`));
    await expect(devicePage.heading).toHaveText(deviceName);
    await expect(devicePage.owningNode).toHaveText(nodePath);
    // The device's telemetry came over MQTT into its probe: latest values and one chart per metric.
    await expect(devicePage.latest.root.locator('dt').first()).toBeVisible();
    const metrics = await devicePage.latest.root.locator('dt').count();
    await expect(devicePage.charts).toHaveCount(metrics);
    await expect(devicePage.charts.first()).toHaveAttribute('aria-label', /\d+ points from/);
    // The device's own events, only from its own probe (the same id exists on every probe).
    await expect(devicePage.events.root.getByRole('row').filter({ hasText: 'boot' }).first()).toBeVisible();
    await expect(
      devicePage.events.root.getByRole('cell', { name: nodePath, exact: true }).first(),
    ).toBeVisible();
  });

  test('keeps filters in the URL and filters by node', async ({ devicesPage, page }) => {
    await devicesPage.goto('?node=probe-d&status=online');
    await expect(page.getByRole('combobox', { name: 'Node' })).toHaveValue('probe-d');
    await expect(page.getByRole('combobox', { name: 'Status' })).toHaveValue('online');
    await expect(devicesPage.rows.first()).toBeVisible();
    const nodes = await devicesPage.rows.evaluateAll((rows) =>
      rows.map((row) => row.querySelectorAll('[role="cell"]')[2]?.textContent),
    );
    expect(new Set(nodes)).toEqual(new Set(['probe-d']));
    await expect(devicesPage.list.coverage).toHaveText('✓1 of 1 node');

    await devicesPage.search('pump');
    await expect(page).toHaveURL(/q=pump/);
    await expect(devicesPage.rows.first()).toContainText('pump');
  });

  test('a list filtered to one probe asks the server for that probe only, and fetches only its rows', async ({
    devicesPage,
    deployment,
  }) => {
    const probe = 'probe-d';
    const perProbe =
      deployment.expectedDevices / deployment.nodes.filter((n) => n.id.startsWith('probe-')).length;
    const log = await recordTrpcCalls(devicesPage.page, 'devices.list');
    await devicesPage.goto(`?node=${probe}`);
    await expect(devicesPage.rows.first()).toBeVisible();

    const calls = await log.stop();
    const fetched = calls.flatMap((call) => call.items ?? []);
    test.info().annotations.push({
      type: 'devices.list',
      description: `${calls.length} calls, ${fetched.length} rows fetched for ${perProbe} devices on ${probe}`,
    });
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(call.input).toMatchObject({ nodePath: probe });
    // Filtering in the browser would page through the fleet: other probes' rows and more pages.
    expect(new Set(fetched.map((device) => device.nodePath))).toEqual(new Set([probe]));
    expect(calls.filter((call) => call.input.cursor !== undefined)).toEqual([]);
    expect(fetched.length % perProbe).toBe(0);
    await expect(devicesPage.list.root).toContainText(`${perProbe} loaded · end of list`);
  });

  test('pages through the federation cursor as the table scrolls', async ({ devicesPage, deployment }) => {
    await devicesPage.goto();
    await expect(devicesPage.list.root).toContainText('200 loaded');
    await devicesPage.table.evaluate((table) => table.scrollTo(0, table.scrollHeight));
    await expect(devicesPage.list.root).toContainText(`${deployment.expectedDevices} loaded · end of list`);
  });
});
