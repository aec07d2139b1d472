import { logIn } from '../api-client.ts';
import { expect, NO_SESSION, test } from '../fixtures.ts';
import { LoginPage } from '../pages/login-page.ts';

/** Whether the BFF still knows a session, asked the way the console asks after a reload. */
async function sessionIsLive(bffUrl: string, cookie: { name: string; value: string }): Promise<boolean> {
  const response = await fetch(`${bffUrl}/auth/me`, {
    headers: { cookie: `${cookie.name}=${cookie.value}` },
  });
  // 200 with the session; 204 when the server knows none.
  return response.status === 200;
}

test.describe('logging in', () => {
  test.use({ storageState: NO_SESSION });

  test('the login page logs no error before anyone tries to log in', async ({ page }) => {
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    const sessionProbe = page.waitForResponse((response) => new URL(response.url()).pathname === '/auth/me');
    await page.goto('/login');
    await expect(new LoginPage(page).form).toBeVisible();
    // The console asks whether this browser is signed in; being signed out is not an error. The
    // browser logs a failed status as the answer arrives: a round trip to the page after it is
    // enough for the log to have reached the test.
    await sessionProbe;
    await page.evaluate(() => new Promise(requestAnimationFrame));
    expect(errors).toEqual([]);
  });

  test('a visit without a session goes to the login page, and a wrong password says so', async ({
    page,
    deployment,
  }) => {
    await page.goto('/alerts?severity=critical');
    await expect(page).toHaveURL(/\/login\?redirect=/);
    const login = new LoginPage(page);
    await login.logIn(deployment.admin.name, 'not the password');
    await expect(login.error).toContainText('Wrong user name or password.');
    await expect(login.form.getByLabel('Password', { exact: true })).toHaveValue('');
    await expect(page).toHaveURL(/\/login\?/);
  });

  test('a successful login lands on the page asked for, with the user in the header', async ({
    page,
    deployment,
  }) => {
    await page.goto('/devices?status=online');
    await new LoginPage(page).logIn(deployment.admin.name, deployment.admin.password);
    await expect(page).toHaveURL(/\/devices\?status=online$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Devices' })).toBeVisible();
    await expect(page.getByRole('button', { name: /account menu/ })).toContainText(
      `${deployment.admin.name}Admin`,
    );
  });

  test('logging out ends the session: the next visit goes to the login page', async ({
    page,
    context,
    deployment,
  }) => {
    await page.goto('/');
    await new LoginPage(page).logIn(deployment.admin.name, deployment.admin.password);
    await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
    const cookie = (await context.cookies()).find((c) => c.httpOnly)!;
    expect(await sessionIsLive(deployment.bffUrl, cookie)).toBe(true);

    await page.getByRole('button', { name: /account menu/ }).click();
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page).toHaveURL(/\/login$/);
    // Ended on the server, not only forgotten by the browser.
    expect(await sessionIsLive(deployment.bffUrl, cookie)).toBe(false);

    await page.goto('/events');
    await expect(page).toHaveURL(/\/login\?redirect=\/events$/);
    await expect(page.getByRole('form', { name: 'Log in' })).toBeVisible();
  });
});

test.describe('my sessions', () => {
  test('lists this session and revokes another, which ends it at once', async ({ page, deployment }) => {
    const other = await logIn(
      deployment.bffUrl,
      deployment.admin.name,
      deployment.admin.password,
      'e2e-session-to-revoke',
    );
    await page.goto('/account/sessions');
    const table = page.getByRole('table', { name: 'My sessions' });
    await expect(table.getByRole('row').filter({ hasText: 'This session' })).toHaveCount(1);
    const row = table.getByRole('row').filter({ hasText: 'e2e-session-to-revoke' });
    await row.getByRole('button', { name: /^Revoke the session/ }).click();
    await expect(row).toHaveCount(0);
    expect(await sessionIsLive(deployment.bffUrl, other.cookie)).toBe(false);
  });
});
