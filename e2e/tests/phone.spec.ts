import { expect, test } from '../fixtures.ts';

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  for (const path of [
    '/',
    '/alerts',
    '/devices',
    '/devices/sim-s01-pump-1?node=probe-d',
    '/nodes/district-1',
    '/events',
  ])
    test(`${path} fits the screen and its controls are big enough to tap`, async ({ page }) => {
      await page.goto(path);
      await expect(page.locator('main [aria-busy="true"]')).toHaveCount(0);
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
    });
});
