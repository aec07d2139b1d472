import type { Page } from '@playwright/test';
import { expect, NO_SESSION, test } from '../fixtures.ts';

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  for (const path of [
    '/',
    '/alerts',
    '/devices',
    '/devices/sim-s01-pump-1?node=probe-d',
    '/nodes/district-1',
    '/events',
    '/account/sessions',
    '/admin/users',
    '/admin/audit',
  ])
    test(`${path} fits the screen and its controls are big enough to tap`, async ({ page }) => {
      await page.goto(path);
      await expect(page.locator('main [aria-busy="true"]')).toHaveCount(0);
      await expectFitsAndTappable(page);
    });

  test.describe('signed out', () => {
    test.use({ storageState: NO_SESSION });

    test('/login fits the screen, its controls are big enough to tap, and it logs in', async ({
      page,
      deployment,
    }) => {
      await page.goto('/login?redirect=/alerts');
      await expect(page.getByRole('form', { name: 'Log in' })).toBeVisible();
      await expectFitsAndTappable(page);
      const form = page.getByRole('form', { name: 'Log in' });
      await form.getByLabel('User name').fill(deployment.admin.name);
      await form.getByLabel('Password', { exact: true }).fill(deployment.admin.password);
      await form.getByRole('button', { name: 'Log in' }).tap();
      await expect(page.getByRole('heading', { level: 1, name: 'Alerts' })).toBeVisible();
    });
  });
});

/** Nothing wider than the screen; every control at least 44 px tall (WCAG 2.5.5's target size). */
async function expectFitsAndTappable(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  const small = await page
    .locator(
      'nav[aria-label="Main"] a, main button, main select, main input, main [data-testid="alert-row"] a',
    )
    .evaluateAll((elements) =>
      elements
        .filter((e) => (e as HTMLElement).offsetParent !== null)
        .map((e) => ({ what: e.outerHTML.slice(0, 80), height: e.getBoundingClientRect().height }))
        .filter((e) => e.height < 44),
    );
  expect(small).toEqual([]);
}
