import { expect, NO_SESSION, test } from '../fixtures.ts';
import { LoginPage } from '../pages/login-page.ts';

// Issue 16, done-when 4: a viewer reads the report, changes its period and grouping and drills down
// to a node; a user scoped to one probe sees that probe's figures only.
const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname;
const PROBE = 'district-1/probe-b';
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}`;

test.describe('the report', () => {
  test('a viewer changes the period and grouping, then drills down to a node', async ({ page }) => {
    await page.goto('/reports');
    const report = page.getByTestId('report');
    await expect(report.getByTestId('report-availability')).toBeVisible();
    // A node that misses a heartbeat on a loaded machine is left out, and the page asks again.
    await expect(report.getByTestId('report-missing-nodes')).toHaveCount(0, { timeout: 90_000 });
    await expect(report.getByTestId('report-availability')).toContainText('%');
    await expect(page.getByTestId('report-panel').getByTestId('coverage-badge')).toContainText('of');

    await page.getByRole('button', { name: /^7 d/ }).click();
    await expect(page).toHaveURL(/period=7d/);
    await expect(page.getByRole('heading', { level: 1, name: 'Report' })).toBeVisible();
    await expect(page.getByText('Last 7 days ·')).toBeVisible();

    await page.getByRole('button', { name: 'By kind' }).click();
    await expect(page).toHaveURL(/group=kind/);
    await expect(page.getByRole('heading', { name: 'Availability by kind' })).toBeVisible();
    await expect(page.getByTestId('report-group-row').first()).toBeVisible();

    await page.getByRole('button', { name: 'By node' }).click();
    const nodeRows = page.getByTestId('report-group-row');
    await expect(nodeRows.filter({ hasText: PROBE })).toHaveCount(1);
    await page.screenshot({ path: `${ARTIFACTS}report-desktop.png`, fullPage: true });

    await nodeRows.getByRole('link', { name: PROBE }).click();
    await expect(page).toHaveURL(new RegExp(`/nodes/${PROBE}$`));
  });

  test('a user scoped to one probe sees only that probe in the report', async ({
    api,
    browser,
    deployment,
  }) => {
    const user = { name: unique('probe-viewer'), password: 'first password 789' };
    await api.console.users.create.mutate({
      name: user.name,
      role: 'viewer',
      scope: [PROBE],
      password: user.password,
    });

    const context = await browser.newContext({
      baseURL: deployment.bffUrl,
      storageState: NO_SESSION,
      viewport: { width: 390, height: 844 },
      hasTouch: true,
      isMobile: true,
    });
    try {
      const page = await context.newPage();
      await page.goto('/reports?group=node');
      const login = new LoginPage(page);
      await login.logIn(user.name, user.password);
      await login.chooseNewPassword('the scoped viewer passphrase');
      await expect(page).toHaveURL(/\/reports/);

      await expect(page.getByTestId('report-availability')).toBeVisible();
      await expect(page.getByTestId('report-missing-nodes')).toHaveCount(0, { timeout: 90_000 });
      const rows = page.getByTestId('report-group-row');
      await expect(rows.first()).toBeVisible();
      await expect(rows).toHaveCount(1);
      await expect(rows.first()).toContainText(PROBE);
      // Nothing else of the fleet shows up anywhere on the page.
      await expect(page.getByTestId('report')).not.toContainText('probe-a');
      await page.screenshot({ path: `${ARTIFACTS}report-phone.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });
});
