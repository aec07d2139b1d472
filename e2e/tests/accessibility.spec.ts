import { expect, test } from '../fixtures.ts';

/** Each page, once its data is on screen. */
const PAGES = [
  { name: 'overview', path: '/', ready: 'Node tree' },
  { name: 'alerts', path: '/alerts', ready: 'Open alerts' },
  { name: 'resolved alerts', path: '/alerts?state=resolved', ready: 'Resolved alerts' },
  { name: 'devices', path: '/devices', ready: 'All devices' },
  { name: 'device', path: '/devices/sim-s01-air-quality-1?node=probe-d&range=1h', ready: 'Latest values' },
  { name: 'node', path: '/nodes/district-1', ready: 'Children' },
  { name: 'events', path: '/events', ready: 'Events' },
];

for (const scheme of ['light', 'dark'] as const)
  test.describe(`accessibility, ${scheme} theme`, () => {
    test.use({ colorScheme: scheme });
    for (const target of PAGES)
      test(`${target.name} page has no serious or critical axe violations`, async ({
        page,
        seriousViolations,
      }) => {
        await page.goto(target.path);
        await expect(page.getByRole('region', { name: target.ready, exact: true })).toBeVisible();
        await expect(page.locator('main [aria-busy="true"]')).toHaveCount(0);
        expect(await seriousViolations(page)).toEqual([]);
      });

    test('alerts page with the ack and silence forms open has no serious or critical axe violations', async ({
      alertsPage,
      page,
      seriousViolations,
    }) => {
      await alertsPage.goto();
      const [first, second] = [alertsPage.rows.nth(0), alertsPage.rows.nth(1)];
      await first.getByRole('button', { name: /^Ack / }).click();
      await expect(first.getByRole('textbox', { name: 'Note (optional)' })).toBeFocused();
      await second.getByRole('button', { name: /^Silence / }).click();
      await expect(second.getByRole('group', { name: 'Silence notifications for' })).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
    });
  });
