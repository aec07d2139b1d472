import type { Page } from '@playwright/test';
import { expect, NO_SESSION, test } from '../fixtures.ts';
import { LoginPage } from '../pages/login-page.ts';

/** Each page, once its data is on screen. */
const PAGES = [
  { path: '/', ready: 'Node tree' },
  { path: '/alerts', ready: 'Open alerts' },
  { path: '/devices', ready: 'All devices' },
  { path: '/devices/sim-s01-air-quality-1?node=probe-d&range=1h', ready: 'Latest values' },
  { path: '/nodes/district-1', ready: 'Children' },
  { path: '/events', ready: 'Events' },
  { path: '/account/sessions', ready: 'Sessions' },
  { path: '/admin/users', ready: 'Users' },
  { path: '/admin/audit', ready: 'Audit entries' },
  { path: '/admin/node-tokens', ready: 'Children' },
];

/** Every CSP violation and console error on the page from now on. */
async function watchForProblems(page: Page): Promise<() => Promise<string[]>> {
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) =>
      seen.push(
        `CSP: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`,
      ),
    );
  });
  return async () => [
    ...consoleErrors,
    ...(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)),
  ];
}

test.describe('content security policy', () => {
  test('the main pages run under the strict CSP without violations or console errors', async ({ page }) => {
    const problems = await watchForProblems(page);
    const first = await page.goto('/');
    expect(first?.headers()['content-security-policy']).toContain("default-src 'self'");
    expect(first?.headers()['content-security-policy']).not.toContain('unsafe-inline');
    const found: string[] = [];
    for (const target of PAGES) {
      await page.goto(target.path);
      await expect(page.getByRole('region', { name: target.ready, exact: true })).toBeVisible();
      await expect(page.locator('main [aria-busy="true"]')).toHaveCount(0);
      // Chart tooltips are HTML that ECharts writes: hover one where there is a chart.
      const chart = page.locator('.chart[role="img"]').first();
      if (await chart.isVisible()) {
        const box = await chart.boundingBox();
        if (box) await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2);
        await page.waitForTimeout(300);
      }
      found.push(...(await problems()).map((p) => `${target.path}: ${p}`));
    }
    expect([...new Set(found)]).toEqual([]);
  });

  test('the login page runs under it too, also when it shows an error', async ({ browser, deployment }) => {
    const context = await browser.newContext({ baseURL: deployment.bffUrl, storageState: NO_SESSION });
    try {
      const page = await context.newPage();
      const problems = await watchForProblems(page);
      await page.goto('/login');
      await new LoginPage(page).logIn('nobody-here', 'not a password');
      await expect(page.getByRole('alert')).toContainText('Wrong user name or password.');
      // The browser logs the refused login's 401 itself: not CSP.
      expect((await problems()).filter((p) => !/status of 401/.test(p))).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
