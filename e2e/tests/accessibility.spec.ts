import { expect, NO_SESSION, test } from '../fixtures.ts';
import { LoginPage } from '../pages/login-page.ts';

/** Each page, once its data is on screen. */
const PAGES = [
  { name: 'overview', path: '/', ready: 'Node tree' },
  { name: 'alerts', path: '/alerts', ready: 'Open alerts' },
  { name: 'resolved alerts', path: '/alerts?state=resolved', ready: 'Resolved alerts' },
  { name: 'devices', path: '/devices', ready: 'All devices' },
  { name: 'device', path: '/devices/sim-s01-air-quality-1?node=probe-d&range=1h', ready: 'Latest values' },
  { name: 'node', path: '/nodes/district-1', ready: 'Children' },
  { name: 'events', path: '/events', ready: 'Events' },
  { name: 'my sessions', path: '/account/sessions', ready: 'Sessions' },
  { name: 'users', path: '/admin/users', ready: 'Users' },
  { name: 'audit log', path: '/admin/audit', ready: 'Audit entries' },
  { name: 'node tokens', path: '/admin/node-tokens', ready: 'Children' },
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
      // By id: a live list may reorder while the test clicks (a new alert lands on top).
      const first = await alertsPage.byPosition(0);
      const second = await alertsPage.byPosition(1);
      await first.getByRole('button', { name: /^Ack / }).click();
      await expect(first.getByRole('textbox', { name: 'Note (optional)' })).toBeFocused();
      await second.getByRole('button', { name: /^Silence / }).click();
      await expect(second.getByRole('group', { name: 'Silence notifications for' })).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
    });

    test('users page with the new-user form and a user being managed has no serious or critical axe violations', async ({
      page,
      seriousViolations,
    }) => {
      await page.goto('/admin/users');
      await page.getByRole('button', { name: 'New user' }).click();
      await page
        .getByRole('button', { name: /^Manage / })
        .first()
        .click();
      await expect(page.getByRole('heading', { name: /^Manage / })).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
    });

    test.describe('signed out', () => {
      test.use({ storageState: NO_SESSION });

      test('login page, also showing an error, has no serious or critical axe violations', async ({
        page,
        seriousViolations,
      }) => {
        await page.goto('/login');
        await expect(page.getByRole('form', { name: 'Log in' })).toBeVisible();
        expect(await seriousViolations(page)).toEqual([]);
        await new LoginPage(page).logIn(`nobody-${scheme}`, 'not a password');
        await expect(page.getByRole('alert')).toBeVisible();
        expect(await seriousViolations(page)).toEqual([]);
      });
    });
  });
