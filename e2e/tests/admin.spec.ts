import { storageStateOf } from '../api-client.ts';
import { expect, NO_SESSION, test } from '../fixtures.ts';
import { AlertsPage } from '../pages/alerts-page.ts';
import { AuditPage } from '../pages/audit-page.ts';
import { LoginPage } from '../pages/login-page.ts';
import { UsersPage } from '../pages/users-page.ts';

const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}`;

test.describe('admin pages', () => {
  test('a viewer made on the Users page chooses a password, sees no ack button and no admin pages', async ({
    page,
    browser,
    deployment,
  }) => {
    const users = new UsersPage(page);
    await users.goto();
    const viewer = { name: unique('viewer'), role: 'viewer' as const, password: 'first password 123' };
    await users.createUser(viewer);
    await expect(users.row(viewer.name)).toContainText('Viewer');
    await expect(users.row(viewer.name)).toContainText('Password to choose');

    const context = await browser.newContext({ baseURL: deployment.bffUrl, storageState: NO_SESSION });
    try {
      const viewerPage = await context.newPage();
      await viewerPage.goto('/alerts');
      const login = new LoginPage(viewerPage);
      await login.logIn(viewer.name, viewer.password);
      await expect(
        viewerPage.getByRole('heading', { level: 1, name: 'Choose a new password' }),
      ).toBeVisible();
      await login.chooseNewPassword('the viewer own passphrase');

      const alerts = new AlertsPage(viewerPage);
      await expect(viewerPage).toHaveURL(/\/alerts$/);
      await expect(alerts.rows.first()).toBeVisible();
      await expect(viewerPage.getByRole('button', { name: /^(Ack|Silence) / })).toHaveCount(0);
      await expect(viewerPage.getByRole('navigation', { name: 'Main' }).getByRole('link')).not.toContainText([
        'Admin',
      ]);

      await viewerPage.goto('/admin/users');
      await expect(viewerPage.getByRole('heading', { level: 1, name: 'Admins only' })).toBeVisible();
      await expect(viewerPage.getByRole('table', { name: 'Users' })).toHaveCount(0);
    } finally {
      await context.close();
    }
    // The admin's own session carries on.
    await expect(users.row(viewer.name)).toContainText('Active', { timeout: 30_000 });
  });

  test('the admin creates a user and finds user.create in the audit log, whose chain verifies', async ({
    page,
  }) => {
    const users = new UsersPage(page);
    await users.goto();
    const name = unique('operator');
    await users.createUser({
      name,
      role: 'operator',
      scope: 'district-1/**',
      password: 'first password 456',
    });
    await expect(users.row(name)).toContainText('district-1/**');

    const audit = new AuditPage(page);
    await audit.goto('?action=user.');
    await expect(page.getByRole('combobox', { name: 'Action' })).toHaveValue('user.');
    const entry = audit.rows.filter({ hasText: name });
    await expect(entry).toContainText('user.create');
    await expect(entry).toContainText('admin');

    await page.getByRole('textbox', { name: 'Target' }).fill(name);
    await expect(page).toHaveURL(new RegExp(`target=${name}`));
    await expect(audit.rows).toHaveCount(2); // the header row and the one entry

    await page.getByRole('button', { name: 'Verify chain' }).click();
    await expect(page.getByTestId('chain-result')).toContainText('The chain is intact');
  });

  test('node tokens lists the uplink children, not the dialled ones, and asks before revoking one', async ({
    page,
  }) => {
    await page.goto('/admin/node-tokens');
    const tokenRow = (path: string) =>
      page.getByTestId('token-row').and(page.locator(`[data-node="${path}"]`));
    const row = tokenRow('district-1/probe-a');
    await expect(row).toBeVisible();
    // The BFF dials district-1, and district-1 dials probe-c: neither has a token to rotate.
    await expect(tokenRow('district-1')).toHaveCount(0);
    await expect(tokenRow('district-1/probe-c')).toHaveCount(0);
    await row.getByRole('button', { name: 'Revoke the token of district-1/probe-a' }).click();
    const confirm = row.getByRole('group', { name: /Confirm: revoke/ });
    await expect(confirm).toContainText('cut off');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await expect(confirm).toHaveCount(0);
  });
});

test.describe('the shared admin session', () => {
  test('a browser given it directly is signed in', async ({ browser, deployment }) => {
    const context = await browser.newContext({
      baseURL: deployment.bffUrl,
      storageState: storageStateOf(deployment.bffUrl, deployment.adminSession),
    });
    try {
      const page = await context.newPage();
      await page.goto('/admin');
      await expect(page).toHaveURL(/\/admin\/users$/);
    } finally {
      await context.close();
    }
  });
});
