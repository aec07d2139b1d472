import { expect, NO_SESSION, test } from '../fixtures.ts';
import { LoginPage } from '../pages/login-page.ts';

// Issue 16: an admin defines a scheduled report in the console (its next runs shown as the cron is
// typed), pauses, edits and deletes it; a viewer gets no schedule editor.
const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}`;

test.describe('scheduled reports', () => {
  test('an admin creates a schedule, sees its next runs, pauses, edits and deletes it', async ({ page }) => {
    const name = unique('Weekly fleet');
    await page.goto('/admin/reports');
    await expect(page.getByRole('heading', { level: 1, name: 'Scheduled reports' })).toBeVisible();
    await page.getByRole('button', { name: 'New schedule' }).click();

    const editor = page.getByTestId('report-schedule-form');
    await expect(editor.getByRole('heading', { name: 'New scheduled report' })).toBeVisible();
    await editor.getByLabel('Name').fill(name);
    await editor.getByLabel('Time zone').fill('Europe/Berlin');
    const cron = editor.getByLabel('Cron expression');
    await cron.fill('0 25 * * *');
    await expect(cron).toHaveAttribute('aria-invalid', 'true');
    await expect(editor.getByTestId('next-runs').getByRole('listitem')).toHaveCount(0);
    await cron.fill('30 6 * * 1-5');
    await expect(cron).not.toHaveAttribute('aria-invalid');
    await expect(editor.getByTestId('next-runs').getByRole('listitem')).toHaveCount(3);
    await editor.getByLabel('Recipients').fill('ceo@example.com, not-an-address');
    await editor.getByLabel('Format').selectOption('csv');
    await editor.getByLabel('Period').selectOption({ label: 'Last 7 days' });
    await editor.getByLabel('Grouping').selectOption({ label: 'By site' });
    await editor.getByRole('button', { name: 'Create schedule' }).click();
    await expect(editor.getByText('"not-an-address" is not an email address')).toBeVisible();
    await editor.getByLabel('Recipients').fill('ceo@example.com, cfo@example.com');
    await page.screenshot({ path: `${ARTIFACTS}report-schedule-editor.png` });
    await editor.getByRole('button', { name: 'Create schedule' }).click();
    await expect(editor).toBeHidden();

    const row = page.getByTestId('report-schedule').filter({ hasText: name });
    await expect(row).toContainText('30 6 * * 1-5');
    await expect(row).toContainText('CSV · Last 7 days · by site');
    await expect(row.getByTestId('last-delivery')).toHaveText('No recent report');

    await row.getByRole('button', { name: 'Pause' }).click();
    await expect(row.getByText('Paused')).toBeVisible();
    await row.getByRole('button', { name: 'Resume' }).click();
    await expect(row.getByRole('button', { name: 'Pause' })).toBeVisible();

    await row.getByRole('button', { name: 'Edit' }).click();
    await expect(editor.getByLabel('Recipients')).toHaveValue('ceo@example.com, cfo@example.com');
    await editor.getByLabel('Cron expression').fill('0 7 1 * *');
    await editor.getByRole('button', { name: 'Save schedule' }).click();
    await expect(editor).toBeHidden();
    await expect(row).toContainText('0 7 1 * *');
    // The edit changed the expression only: the format and period stay.
    await expect(row).toContainText('CSV · Last 7 days · by site');

    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Delete' }).click();
    await expect(row).toHaveCount(0);
  });

  test('a viewer gets no schedule editor', async ({ api, browser, deployment }) => {
    const viewer = { name: unique('schedule-viewer'), password: 'first password 456' };
    await api.console.users.create.mutate({ name: viewer.name, role: 'viewer', password: viewer.password });
    const context = await browser.newContext({ baseURL: deployment.bffUrl, storageState: NO_SESSION });
    try {
      const page = await context.newPage();
      await page.goto('/alerts');
      const login = new LoginPage(page);
      await login.logIn(viewer.name, viewer.password);
      const choosePassword = page.getByRole('heading', { level: 1, name: 'Choose a new password' });
      await expect(choosePassword).toBeVisible();
      await login.chooseNewPassword('the schedule viewer passphrase');
      await expect(choosePassword).toHaveCount(0);
      await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link')).not.toContainText([
        'Admin',
      ]);
      await page.goto('/admin/reports');
      await expect(page.getByRole('heading', { level: 1, name: 'Admins only' })).toBeVisible();
      await expect(page.getByRole('button', { name: 'New schedule' })).toHaveCount(0);
      await expect(page.getByRole('button', { name: 'Edit' })).toHaveCount(0);
    } finally {
      await context.close();
    }
  });
});
