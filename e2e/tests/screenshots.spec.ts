import { expect, NO_SESSION, test } from '../fixtures.ts';

// Pictures of the console as an operator sees it, for people to look at (e2e/artifacts/, gitignored).
const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname;

test.describe('screenshots at 1440×900', () => {
  test.use({ viewport: { width: 1440, height: 900 } });

  test('overview', async ({ overviewPage, page }) => {
    await overviewPage.goto();
    await expect(overviewPage.ingestChart.root.locator('.chart[role="img"]')).toBeVisible();
    await page.waitForTimeout(10_000); // a few more samples for the history charts
    await page.screenshot({ path: `${ARTIFACTS}overview.png` });
  });

  test('device page, zoomed by dragging across a chart', async ({ devicePage, page }) => {
    await devicePage.goto('district-1/probe-a', 'sim-s01-air-quality-1', '1h');
    const chart = devicePage.charts.first();
    await expect(chart).toHaveAttribute('aria-label', /points from/);
    // Every panel above the chart settled, so the chart does not move between measuring and dragging.
    await expect(page.locator('main [aria-busy="true"]')).toHaveCount(0);
    // The mouse acts in the viewport: bring the chart into it (the device's alerts come first).
    await chart.scrollIntoViewIfNeeded();
    const box = await chart.boundingBox();
    if (!box) throw new Error('the chart has no box');
    // This run's samples sit at the right end of the hour: drag across its last minutes.
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.8, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.985, y, { steps: 10 });
    await page.mouse.up();
    await expect(page).toHaveURL(/from=[^&]+&.*to=|to=[^&]+&.*from=/);
    await expect(devicePage.rangeButton('Custom')).toHaveAttribute('aria-pressed', 'true');
    await expect(devicePage.charts.first()).toHaveAttribute('aria-label', /points from/);
    await page.waitForTimeout(1_000);
    await page.screenshot({ path: `${ARTIFACTS}device.png`, fullPage: true });
  });

  test('node tree', async ({ nodePage, page }) => {
    await nodePage.goto('district-1');
    await expect(nodePage.childRow('district-1/probe-a')).toBeVisible();
    await expect(page.locator('.chart[role="img"]').first()).toBeVisible();
    await page.waitForTimeout(6_000);
    await page.screenshot({ path: `${ARTIFACTS}node-tree.png` });
  });
});

test.describe('screenshots of the admin pages at 1440×900', () => {
  test.use({ viewport: { width: 1440, height: 900 } });

  test('users, audit log, node tokens and my sessions', async ({ page }) => {
    await page.goto('/admin/users');
    await page
      .getByRole('button', { name: /^Manage / })
      .first()
      .click();
    await expect(page.getByRole('heading', { name: /^Manage / })).toBeVisible();
    await page.screenshot({ path: `${ARTIFACTS}users.png`, fullPage: true });

    await page.goto('/admin/audit');
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await expect(page.getByTestId('chain-result')).toBeVisible();
    await page.screenshot({ path: `${ARTIFACTS}audit.png` });

    await page.goto('/admin/node-tokens');
    await page.getByRole('button', { name: 'Revoke the token of district-1/probe-b' }).click();
    await page.screenshot({ path: `${ARTIFACTS}node-tokens.png`, fullPage: true });

    await page.goto('/account/sessions');
    await page.getByRole('button', { name: /account menu/ }).click();
    await page.screenshot({ path: `${ARTIFACTS}sessions.png` });
  });

  test.describe('signed out', () => {
    test.use({ storageState: NO_SESSION });

    test('login, with a wrong password', async ({ page }) => {
      await page.goto('/login');
      await page.getByLabel('User name').fill('nobody-screenshot');
      await page.getByLabel('Password', { exact: true }).fill('not a password');
      await page.getByRole('button', { name: 'Log in' }).click();
      await expect(page.getByRole('alert')).toBeVisible();
      await page.screenshot({ path: `${ARTIFACTS}login.png` });
    });
  });
});

test.describe('screenshots at 390×844', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });

  test('alerts on a phone, one acked', async ({ alertsPage, page }) => {
    await alertsPage.goto();
    await expect(alertsPage.rows.first()).toBeVisible();
    // The second card, so the picture shows an acked alert beside one waiting for someone. Pinned
    // by its id: the list is live, and an alert raised meanwhile moves every card down one.
    const second = alertsPage.rows.and(page.locator('[data-alert-id^="motor-overheat:"]')).nth(1);
    const alertId = await second.getAttribute('data-alert-id');
    const row = alertsPage.rows.and(page.locator(`[data-alert-id="${alertId}"]`));
    await alertsPage.ack(row, 'Pump crew on site 1 checking the cooling');
    await expect(alertsPage.ackOf(row)).toBeVisible();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${ARTIFACTS}alerts-phone.png` });
  });

  test.describe('signed out', () => {
    test.use({ storageState: NO_SESSION });

    test('login on a phone', async ({ page }) => {
      await page.goto('/login');
      await expect(page.getByRole('form', { name: 'Log in' })).toBeVisible();
      await page.screenshot({ path: `${ARTIFACTS}login-phone.png` });
    });
  });
});
