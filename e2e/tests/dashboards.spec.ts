import type { Browser, Locator, Page } from '@playwright/test';
import { expect, NO_SESSION, test } from '../fixtures.ts';
import { LoginPage } from '../pages/login-page.ts';

// Issue 20, done-when 2: an operator builds a dashboard of three panels, saves and shares it; a
// colleague scoped to one probe opens its link and sees only that probe's data, and coverage says so.
const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname;
const PROBE = 'district-1/probe-b';
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}`;

const DESKTOP = { viewport: { width: 1440, height: 900 } };
const WALL = { viewport: { width: 1920, height: 1080 } };
const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true };

/** A new browser with no session, signed in as `user` at `path` (choosing their own password first). */
async function signedIn(
  browser: Browser,
  bffUrl: string,
  user: { name: string; password: string },
  path: string,
  options: object,
): Promise<Page> {
  const context = await browser.newContext({ baseURL: bffUrl, storageState: NO_SESSION, ...options });
  const page = await context.newPage();
  await page.goto(path);
  const login = new LoginPage(page);
  await login.logIn(user.name, user.password);
  await login.chooseNewPassword(`${user.name} chosen passphrase`);
  return page;
}

async function addPanel(
  page: Page,
  fields: { title: string; kind: string; metric: string; aggregation: string },
) {
  await page.getByRole('button', { name: 'Add panel' }).click();
  const editor = page.getByRole('form', { name: 'Panel editor' });
  await editor.getByLabel('Title').fill(fields.title);
  await editor.getByLabel('Kind', { exact: true }).selectOption({ label: fields.kind });
  await editor.getByLabel('Metric').fill(fields.metric);
  await editor.getByLabel('Aggregation').selectOption(fields.aggregation);
  return editor;
}

/**
 * The controls of the top bar, the page header and the dashboard's edit bar that do not fit in the
 * window (each by its text or name): at 1440 px every one must.
 */
const controlsOutside = (page: Page): Promise<string[]> =>
  page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const controls = document.querySelectorAll(
      ':is(.topbar, .page-header, form[aria-label="Dashboard settings"]) :is(a, button, input, select)',
    );
    return [...controls]
      .filter((control) => {
        const box = control.getBoundingClientRect();
        return box.width > 0 && (box.left < 0 || box.right > width);
      })
      .map((control) => control.getAttribute('aria-label') ?? control.textContent?.trim() ?? control.tagName);
  });

const panelTitled = (page: Page, title: string): Locator =>
  page.getByTestId('dashboard-panel').filter({ has: page.getByRole('heading', { name: title }) });

test.describe('dashboards', () => {
  test('an operator builds and shares a dashboard; a colleague scoped to one probe sees only its data', async ({
    api,
    browser,
    deployment,
  }) => {
    test.setTimeout(240_000);
    const operator = { name: unique('builder'), password: 'first password 456' };
    const colleague = { name: unique('probe-colleague'), password: 'first password 789' };
    await api.console.users.create.mutate({ ...operator, role: 'operator' });
    await api.console.users.create.mutate({ ...colleague, role: 'viewer', scope: [PROBE] });
    const title = unique('CO2 watch');

    const page = await signedIn(browser, deployment.bffUrl, operator, '/dashboards', DESKTOP);
    try {
      await expect(page.getByRole('heading', { level: 1, name: 'Dashboards' })).toBeVisible();
      // The product's own dashboards are there for everyone.
      await expect(page.getByTestId('dashboard-row').filter({ hasText: 'Fleet overview' })).toBeVisible();

      const create = page.getByRole('form', { name: 'New dashboard' });
      await create.getByLabel('New dashboard').fill(title);
      await create.getByRole('button', { name: 'Create' }).click();
      await expect(page).toHaveURL(/\/dashboards\/\d+/);
      const dashboardPath = new URL(page.url()).pathname;
      await expect(page.getByRole('form', { name: 'Dashboard settings' })).toBeVisible();
      expect(await controlsOutside(page)).toEqual([]);

      let editor = await addPanel(page, {
        title: 'Temperature by site',
        kind: 'Time series',
        metric: 'temperature_c',
        aggregation: 'avg',
      });
      await editor.getByLabel('Group').selectOption({ label: 'By site' });
      await editor.getByRole('button', { name: 'Apply panel' }).click();

      editor = await addPanel(page, {
        title: 'CO2 top 10',
        kind: 'Top-N bar',
        metric: 'co2_ppm',
        aggregation: 'max',
      });
      await editor.getByLabel('Group').selectOption({ label: 'Top devices' });
      await editor.getByLabel('Top devices').fill('10');
      await editor.getByRole('button', { name: 'Apply panel' }).click();

      editor = await addPanel(page, {
        title: 'Highest CO2',
        kind: 'Single stat',
        metric: 'co2_ppm',
        aggregation: 'max',
      });
      await editor.getByLabel('Unit').fill('ppm');
      await editor.getByLabel('Warning from').fill('1000');
      await editor.getByLabel('Critical from').fill('1400');
      await editor.getByRole('button', { name: 'Apply panel' }).click();

      await page.getByLabel('Sharing').selectOption({ label: 'Shared with everyone' });
      await page.getByRole('button', { name: 'Save dashboard' }).click();
      await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
      await expect(page.getByText('shared with everyone')).toBeVisible();
      expect(await controlsOutside(page)).toEqual([]);

      await expect(page.getByTestId('dashboard-panel')).toHaveCount(3);
      for (const panel of await page.getByTestId('dashboard-panel').all())
        await expect(panel.getByTestId('coverage-badge')).toContainText(/\d+ of \d+ node/);
      const top = panelTitled(page, 'CO2 top 10').getByTestId('panel-series').getByRole('listitem');
      await expect(top).toHaveCount(10);
      await expect(panelTitled(page, 'Highest CO2').getByTestId('panel-stat')).toContainText('ppm');
      await expect(panelTitled(page, 'Highest CO2').getByTestId('panel-stat')).toHaveAttribute(
        'data-level',
        /ok|warning|critical/,
      );
      const everyNode = await top.allTextContents();
      expect(everyNode.some((text) => !text.startsWith(`${PROBE}/`))).toBe(true);
      await page.screenshot({ path: `${ARTIFACTS}dashboard-desktop.png` });

      // The link the operator shares: the range and a variable travel in it.
      const link = `${dashboardPath}?range=1h`;
      const wall = await page.context().newPage();
      await wall.setViewportSize(WALL.viewport);
      await wall.goto(`${dashboardPath}/wall?range=1h`);
      await expect(wall.getByTestId('wall')).toBeVisible();
      await expect(wall.getByRole('navigation', { name: 'Main' })).toBeHidden();
      await expect(wall.getByTestId('panel-stat')).toBeVisible();
      await expect(wall.getByTestId('coverage-badge').first()).toContainText('of');
      await wall.screenshot({ path: `${ARTIFACTS}dashboard-wall.png` });

      const phone = await signedIn(browser, deployment.bffUrl, colleague, link, PHONE);
      try {
        await expect(phone.getByRole('heading', { level: 1, name: title })).toBeVisible();
        const topSeen = panelTitled(phone, 'CO2 top 10').getByTestId('panel-series').getByRole('listitem');
        await expect(topSeen.first()).toBeVisible({ timeout: 30_000 });
        for (const text of await topSeen.allTextContents()) expect(text.startsWith(`${PROBE}/`)).toBe(true);
        // Coverage names what was asked: the probe in scope, and no other node of the fleet.
        const coverage = panelTitled(phone, 'CO2 top 10').getByTestId('coverage-badge');
        await expect(coverage).toContainText(/\d+ of \d+ node/);
        await coverage.locator('summary').click();
        await expect(coverage.getByRole('table')).toContainText('probe-b');
        await expect(coverage.getByRole('table')).not.toContainText('probe-a');
        await coverage.locator('summary').click();
        await phone.screenshot({ path: `${ARTIFACTS}dashboard-phone.png`, fullPage: true });
      } finally {
        await phone.context().close();
      }
    } finally {
      await page.context().close();
    }
  });
});
