import type { Browser, Page } from '@playwright/test';
import { DEMO_COMMANDS } from '@tierscope/test-support/demo-policy';
import type { ApiClient } from '../api-client.ts';
import { expect, NO_SESSION, test } from '../fixtures.ts';
import { LoginPage } from '../pages/login-page.ts';

// Issue 15, done-when 5: an operator sends a command from the device page and sees it succeed
// (desktop and phone); a viewer sees no action control; a bulk command over a filtered list shows
// its progress and each device's outcome. The simulated devices answer every command they get
// (apps/simulator/src/command-answers.ts): most at once, a few slowly or with an error.
// Named to run after policy.spec.ts: it publishes the commands' policy when none declares them, and
// the policy editor's preview showed "≥ 0" fires when that version was in force before it (open).
const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname;
/** A probe whose simulated devices connect without logins, straight under the BFF. */
const PROBE = 'probe-d';
const KIND = 'pump';
const PHONE = { width: 390, height: 844 };

/** The commands the e2e deployment's devices take: the demo's, published once as a policy. */
async function declareCommands(api: ApiClient): Promise<void> {
  const catalog = await api.devices.commandCatalog.query({});
  if (!catalog.commands[KIND]?.identify)
    await api.policy.publish.mutate({
      content: { bundles: [{ name: 'e2e commands', target: '**', commands: DEMO_COMMANDS }] },
      comment: 'e2e: the simulated devices’ commands',
    });
  await expect
    .poll(async () => Object.keys((await api.devices.commandCatalog.query({ nodePath: PROBE })).commands), {
      timeout: 60_000,
    })
    .toContain(KIND);
}

/**
 * An online pump on PROBE that answers at once: a simulated device's temper is fixed, so one
 * command that succeeds within 2 s tells the prompt ones (5 % are slow, 5 % refuse everything).
 */
async function promptPump(api: ApiClient): Promise<string> {
  const page = await api.devices.list.query({ nodePath: PROBE, status: 'online', limit: 200 });
  for (const device of page.items.filter((d) => d.kind === KIND)) {
    const sent = await api.devices.command.mutate({ nodePath: PROBE, deviceId: device.id, name: 'identify' });
    for (let i = 0; i < 10; i++) {
      const history = await api.devices.commands.query({ nodePath: PROBE, deviceId: device.id, limit: 5 });
      const state = history.items.find((c) => c.id === sent.id)?.state;
      if (state === 'succeeded') return device.id;
      if (state !== 'sent' && state !== 'queued') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`no ${KIND} on ${PROBE} answers commands promptly`);
}

/** A new console user of `role`, logged in (first password replaced) in a browser context of its own. */
async function logInAs(
  browser: Browser,
  api: ApiClient,
  bffUrl: string,
  role: 'viewer' | 'operator',
  viewport?: typeof PHONE,
): Promise<{ page: Page; close: () => Promise<void> }> {
  const name = `cmd-${role}-${Date.now().toString(36)}`;
  const firstPassword = 'first password 789';
  await api.console.users.create.mutate({ name, role, password: firstPassword });
  const context = await browser.newContext({
    baseURL: bffUrl,
    storageState: NO_SESSION,
    ...(viewport && { viewport, isMobile: true, hasTouch: true }),
  });
  const page = await context.newPage();
  await page.goto('/devices');
  const login = new LoginPage(page);
  await login.logIn(name, firstPassword);
  await login.chooseNewPassword(`the ${role} passphrase for commands`);
  await expect(page.getByRole('heading', { level: 1, name: 'Devices' })).toBeVisible();
  return { page, close: () => context.close() };
}

/** Sends `identify` for `seconds` from the device page's Commands panel and waits for it to succeed. */
async function sendIdentify(page: Page, deviceId: string): Promise<void> {
  await page.goto(`/devices/${deviceId}?node=${PROBE}`);
  const panel = page.getByRole('region', { name: 'Commands', exact: true });
  const form = panel.getByRole('form', { name: 'Send a command' });
  // The outcome comes by the watch stream: the page reads the history again only while it is down.
  await expect(panel.getByText('live', { exact: true })).toBeVisible();
  await form.getByLabel('Command').selectOption('identify');
  // The form checks the parameter against its schema before anything is sent.
  await form.getByLabel(/^seconds/).fill('600');
  await form.getByRole('button', { name: 'Send identify' }).click();
  await expect(form.getByText('At most 60')).toBeVisible();
  await form.getByLabel(/^seconds/).fill('5');
  await form.getByRole('button', { name: 'Send identify' }).click();
  const row = panel.getByTestId('command-row').first();
  await expect(row).toContainText('{"seconds":5}');
  await expect(row.getByTestId('command-state')).toHaveText('succeeded', { timeout: 15_000 });
  await expect(row).toContainText('blinkingSeconds');
}

test.describe('commands', () => {
  // Two logins with a password change each, and a job that waits out the slow devices' timeout.
  test.describe.configure({ timeout: 180_000 });
  // Each test declares them (once: it is a no-op when the catalog has them): `api` is per test.
  test.beforeEach(async ({ api }) => declareCommands(api));

  test('an operator sends a command from the device page and sees it succeed, on a desktop and on a phone', async ({
    api,
    browser,
    deployment,
  }) => {
    const deviceId = await promptPump(api);

    const desktop = await logInAs(browser, api, deployment.bffUrl, 'operator');
    try {
      await sendIdentify(desktop.page, deviceId);
      // An operator quarantines, but only an admin rotates credentials.
      const access = desktop.page.getByRole('region', { name: 'Access' });
      await expect(access.getByRole('button', { name: 'Quarantine' })).toBeVisible();
      await expect(access.getByRole('button', { name: 'Rotate credentials' })).toHaveCount(0);
      await desktop.page.getByRole('region', { name: 'Commands', exact: true }).scrollIntoViewIfNeeded();
      await desktop.page.screenshot({ path: `${ARTIFACTS}command-desktop.png`, fullPage: true });
    } finally {
      await desktop.close();
    }

    const phone = await logInAs(browser, api, deployment.bffUrl, 'operator', PHONE);
    try {
      await sendIdentify(phone.page, deviceId);
      const panel = phone.page.getByRole('region', { name: 'Commands', exact: true });
      // Nothing runs off a 390 px screen: the history table scrolls inside its own box.
      const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(PHONE.width);
      await panel.scrollIntoViewIfNeeded();
      await phone.page.screenshot({ path: `${ARTIFACTS}command-phone.png` });
    } finally {
      await phone.close();
    }
  });

  test('a viewer sees the command history but no action control', async ({ api, browser, deployment }) => {
    const [device] = (await api.devices.list.query({ nodePath: PROBE, limit: 1 })).items;
    const viewer = await logInAs(browser, api, deployment.bffUrl, 'viewer');
    try {
      const { page } = viewer;
      await expect(page.getByRole('button', { name: /Bulk command|Add device|Import CSV/ })).toHaveCount(0);
      await page.goto(`/devices/${device!.id}?node=${PROBE}`);
      await expect(page.getByRole('region', { name: 'Commands', exact: true })).toBeVisible();
      await expect(page.getByRole('form', { name: 'Send a command' })).toHaveCount(0);
      await expect(page.getByRole('region', { name: 'Access' })).toHaveCount(0);
      await expect(page.getByRole('button', { name: /Send|Quarantine|Release|Rotate/ })).toHaveCount(0);
    } finally {
      await viewer.close();
    }
  });

  test('a bulk command over a filtered list shows its progress and each device’s outcome', async ({
    page,
    api,
  }) => {
    const expected = (await api.devices.count.query({ nodePath: PROBE, kind: KIND, status: 'online' })).total;
    expect(expected).toBeGreaterThan(0);
    await page.goto(`/devices?node=${PROBE}&status=online`);
    await page.getByRole('button', { name: 'Bulk command…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Bulk command' });
    await dialog.getByLabel('Device kind').selectOption(KIND);
    await dialog.getByLabel('Command').selectOption('reboot');
    await dialog.getByRole('button', { name: 'Review' }).click();
    await expect(dialog.getByTestId('bulk-confirm')).toContainText(`to ${expected} devices`);
    await dialog.getByRole('button', { name: `Send to ${expected} devices` }).click();

    const job = page.getByRole('region', { name: 'Bulk command' });
    await expect(page).toHaveURL(/job=/);
    await expect(job.getByTestId('job-item')).toHaveCount(expected);
    // Slow devices answer after the 10 s timeout: every device has an outcome within it.
    await expect(job.getByTestId('job-progress')).toContainText(`${expected} of ${expected}`, {
      timeout: 30_000,
    });
    await expect(job.locator('[data-testid="job-item"][data-state="succeeded"]').first()).toBeVisible();
    await expect(job.getByTestId('job-outcomes')).toContainText('succeeded');
    await job.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS}bulk-job.png`, fullPage: true });
  });
});
