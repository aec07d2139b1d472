import { expect, test } from '../fixtures.ts';

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

test.describe('screenshots at 390×844', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });

  test('alerts on a phone, one acked', async ({ alertsPage, page }) => {
    await alertsPage.goto();
    await expect(alertsPage.rows.first()).toBeVisible();
    // The second card, so the picture shows an acked alert beside one waiting for someone.
    const row = alertsPage.rows.and(page.locator('[data-alert-id^="motor-overheat:"]')).nth(1);
    await alertsPage.ack(row, 'Pump crew on site 1 checking the cooling');
    await expect(alertsPage.ackOf(row)).toBeVisible();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${ARTIFACTS}alerts-phone.png` });
  });
});
