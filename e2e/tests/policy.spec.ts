import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { publishingDevice } from '../alert-rules.ts';
import { expect, NO_SESSION, test } from '../fixtures.ts';
import { AlertsPage } from '../pages/alerts-page.ts';
import { LoginPage } from '../pages/login-page.ts';

// Issue 14, done-when 3: an admin writes a threshold rule in the editor, previews it, publishes it
// to district-1/** with probe-a as canary, watches the Policy page converge, and the rule's alert
// fires after a `mosquitto_pub`; a viewer reads the Policy page without any edit control.
const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname;
const METRIC = 'e2e_policy_temp';
const RULE_ID = 'e2e-policy-hot';
const RULE_NAME = 'Policy test temperature above 80';
/** A simulated pump whose simulator never sends METRIC: only this test does. */
const DEVICE = publishingDevice(3);
const DISTRICT_NODES = ['district-1', 'district-1/probe-a', 'district-1/probe-b', 'district-1/probe-c'];

const run = promisify(execFile);

/** Publishes one telemetry message as DEVICE with Mosquitto's own client, as an operator would by hand. */
async function mosquittoPub(mqttUrl: string, value: number, ts?: number): Promise<void> {
  const { hostname, port } = new URL(mqttUrl);
  const payload = JSON.stringify({ ...(ts !== undefined && { ts }), metrics: { [METRIC]: value } });
  await run('mosquitto_pub', [
    '-h',
    hostname,
    '-p',
    port,
    '-q',
    '1',
    '-t',
    `devices/${DEVICE}/telemetry`,
    '-m',
    payload,
  ]);
}

test.describe('fleet policy', () => {
  // Tall enough for the draft with its rule and preview, or the drift table, in one screenshot.
  test.use({ viewport: { width: 1440, height: 1500 } });

  test('an admin previews a threshold rule, publishes it to district-1/** with probe-a as canary, watches it converge, and it fires after a mosquitto_pub', async ({
    page,
    deployment,
  }) => {
    test.setTimeout(180_000);
    const probeB = deployment.nodes.find((node) => node.path === 'district-1/probe-b')!;
    // History for the preview: over the last hour the device went above 80 twice.
    const now = Date.now();
    for (const [minutesAgo, value] of [
      [50, 70],
      [45, 90],
      [40, 60],
      [30, 95],
      [20, 50],
    ] as const)
      await mosquittoPub(probeB.mqttUrl, value, now - minutesAgo * 60_000);

    await page.goto('/policy');
    await expect(page.getByRole('heading', { level: 1, name: 'Policy' })).toBeVisible();
    const draft = page.getByTestId('policy-draft');
    await draft
      .getByRole('button', { name: /^(Start an empty draft|Edit a draft of v\d+)$/ })
      .first()
      .click();
    await draft.getByRole('button', { name: 'Add bundle' }).click();
    const bundle = draft.getByTestId('bundle-editor').last();
    await bundle.getByLabel('Bundle name').fill('district one');
    await bundle.getByLabel('Target').fill('district-1/**');
    await bundle.getByLabel('Declared metrics').fill(METRIC);
    await bundle.getByRole('button', { name: 'Add rule' }).click();

    const rule = bundle.getByTestId('rule-editor').last();
    await rule.getByLabel('Rule id').fill(RULE_ID);
    await rule.getByLabel('Rule name').fill(RULE_NAME);
    await rule.getByLabel('Severity').selectOption('critical');
    await rule.getByLabel('Kind').selectOption('threshold');
    await rule.getByLabel('Metric', { exact: true }).fill(METRIC);
    await rule.getByLabel('Operator').selectOption('>');
    await rule.getByLabel('Value').fill('80');
    await rule.getByLabel('Device pattern').fill(DEVICE);

    await rule.getByRole('button', { name: 'Preview last 24 h' }).click();
    const preview = rule.getByTestId('rule-preview');
    await expect(preview.getByTestId('preview-fired')).toHaveText(/\b2\b/);
    await expect(preview.getByRole('table', { name: 'Devices it would have fired for' })).toContainText(
      DEVICE,
    );
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${ARTIFACTS}policy-editor.png`, fullPage: true });

    await draft.getByRole('button', { name: /^Publish/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Publish policy' });
    await dialog.getByLabel('Comment').fill('page on hot pumps in district 1');
    await dialog.getByRole('checkbox', { name: 'district-1/probe-a' }).check();
    await dialog.getByLabel('Canary hold (seconds)').fill('5');
    await dialog.getByRole('button', { name: 'Publish to 1 canary first' }).click();
    await expect(dialog).toHaveCount(0);

    // The canary first, then everyone once it has held for 5 s.
    const banner = page.getByTestId('rollout-banner');
    await expect(banner).toHaveAttribute('data-phase', 'released', { timeout: 60_000 });
    const drift = page.getByRole('table', { name: 'Policy drift' });
    for (const path of DISTRICT_NODES)
      await expect(drift.locator(`[data-testid="drift-row"][data-path="${path}"]`)).toHaveAttribute(
        'data-state',
        'applied',
        { timeout: 60_000 },
      );
    await expect(
      drift.locator('[data-path="district-1/probe-a"]').getByTestId('canary-marker'),
    ).toBeVisible();
    await page.screenshot({ path: `${ARTIFACTS}policy-page.png`, fullPage: true });

    // A hand-published sample on probe-b, which took the version after the canary.
    await mosquittoPub(probeB.mqttUrl, 99.5);
    const alerts = new AlertsPage(page);
    await alerts.goto();
    const fired = alerts.rows.filter({ hasText: RULE_NAME });
    await expect(fired).toHaveAttribute('data-state', 'firing');
    await expect(fired).toHaveAttribute('data-node', probeB.path);

    // Back under the line: the alert resolves and leaves the list, so later tests count as before.
    await mosquittoPub(probeB.mqttUrl, 20);
    await expect(fired).toHaveCount(0, { timeout: 60_000 });
  });

  test('a viewer reads the Policy page and finds no edit control on it', async ({
    api,
    browser,
    deployment,
  }) => {
    const name = `policy-viewer-${Date.now().toString(36)}`;
    const firstPassword = 'first password 789';
    await api.console.users.create.mutate({ name, role: 'viewer', password: firstPassword });
    const context = await browser.newContext({ baseURL: deployment.bffUrl, storageState: NO_SESSION });
    try {
      const page = await context.newPage();
      await page.goto('/policy');
      const login = new LoginPage(page);
      await login.logIn(name, firstPassword);
      await login.chooseNewPassword('the policy viewer passphrase');
      await expect(page).toHaveURL(/\/policy$/);

      await expect(page.getByRole('heading', { level: 1, name: 'Policy' })).toBeVisible();
      await expect(page.getByRole('table', { name: 'Policy versions' })).toBeVisible();
      await expect(page.getByRole('table', { name: 'Policy drift' })).toBeVisible();
      await expect(page.getByTestId('policy-draft')).toHaveCount(0);
      await expect(
        page.getByRole('button', { name: /Publish|Roll back|draft|Add bundle|Add rule/ }),
      ).toHaveCount(0);
    } finally {
      await context.close();
    }
  });
});
