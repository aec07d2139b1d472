import { expect, test } from '../fixtures.ts';

test.describe('events', () => {
  test('searches events across every node in full text, with the range in the URL', async ({
    eventsPage,
    page,
  }) => {
    await eventsPage.goto('?range=1h');
    await expect(page.getByRole('button', { name: 'Last hour' })).toHaveAttribute('aria-pressed', 'true');
    await expect(eventsPage.rows.first()).toBeVisible();
    await expect(eventsPage.list.coverage).toHaveText(/✓\d+ of \d+ nodes/);

    await page.getByRole('searchbox', { name: 'Search' }).fill('started');
    await expect(page).toHaveURL(/q=started/);
    await expect(eventsPage.rows.first()).toContainText('started');

    await page.getByRole('combobox', { name: 'Severity' }).selectOption('critical');
    await expect(page).toHaveURL(/severity=critical/);
    await expect(page.getByText('No events match')).toBeVisible();
  });
});
