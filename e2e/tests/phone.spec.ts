import type { Locator, Page } from '@playwright/test';
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
    '/policy',
    '/account/sessions',
    '/admin/users',
    '/admin/audit',
  ])
    test(`${path} fits the screen and its controls are big enough to tap`, async ({ page }) => {
      await page.goto(path);
      await expect(page.locator('main [aria-busy="true"]')).toHaveCount(0);
      await expectFitsAndTappable(page);
    });

  test('the top bar shows the whole user menu button and the bottom navigation every label, uncut', async ({
    page,
  }) => {
    await page.goto('/alerts');
    await expect(page.locator('main [aria-busy="true"]')).toHaveCount(0);
    const menu = page.getByRole('button', { name: /account menu/ });
    const links = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
    // Overview, Alerts, Devices, Events, Nodes, Policy and (for the admin) Admin; Report is in the user menu.
    await expect(links).toHaveCount(7);
    const problems = await clipped(menu);
    for (const link of await links.all()) problems.push(...(await clipped(link)));
    expect(problems).toEqual([]);
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
  // Against the visual viewport: a phone zooms an overflowing page out, widening innerWidth with it.
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - window.visualViewport!.width,
  );
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

/**
 * What keeps an element's text from being seen whole: the element or its text reaching past the
 * screen, past the element itself, or past an ancestor that clips its overflow. Empty when it
 * shows whole.
 */
async function clipped(target: Locator): Promise<string[]> {
  return target.evaluate((element) => {
    const problems: string[] = [];
    const name = `${element.tagName.toLowerCase()} "${element.textContent?.trim() ?? ''}"`;
    const box = element.getBoundingClientRect();
    // Where the visible text is drawn: the union of its text nodes' boxes.
    const text = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent?.trim() || (node.parentElement?.getBoundingClientRect().width ?? 0) <= 1)
        continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const r = range.getBoundingClientRect();
      text.left = Math.min(text.left, r.left);
      text.top = Math.min(text.top, r.top);
      text.right = Math.max(text.right, r.right);
      text.bottom = Math.max(text.bottom, r.bottom);
    }
    type Edges = { left: number; top: number; right: number; bottom: number };
    const inside = (inner: Edges, outer: Edges) =>
      inner.left >= outer.left - 0.5 &&
      inner.top >= outer.top - 0.5 &&
      inner.right <= outer.right + 0.5 &&
      inner.bottom <= outer.bottom + 0.5;
    // The visual viewport: a phone zooms a page out when it is wider than the screen, which
    // widens the layout viewport (innerWidth) past what is on screen.
    const viewport = window.visualViewport!;
    const screen = {
      left: viewport.offsetLeft,
      top: viewport.offsetTop,
      right: viewport.offsetLeft + viewport.width,
      bottom: viewport.offsetTop + viewport.height,
    };
    if (!inside(box, screen)) problems.push(`${name} reaches past the screen`);
    if (!inside(text, box)) problems.push(`${name}: its text reaches past it`);
    // Text for screen readers only (a 1 px clipped box) is meant to be out of sight.
    const shown = [element, ...element.querySelectorAll('*')].filter(
      (part) => part.getBoundingClientRect().width > 1,
    );
    for (const part of shown)
      if (part.scrollWidth > part.clientWidth && getComputedStyle(part).overflowX !== 'visible')
        problems.push(`${name}: ${part.tagName.toLowerCase()} cuts its content off`);
    for (let parent = element.parentElement; parent; parent = parent.parentElement) {
      const style = getComputedStyle(parent);
      if (style.overflowX !== 'visible' || style.overflowY !== 'visible')
        if (!inside(text, parent.getBoundingClientRect()))
          problems.push(`${name}: cut off by ${parent.tagName.toLowerCase()}.${parent.className}`);
    }
    return problems;
  });
}
