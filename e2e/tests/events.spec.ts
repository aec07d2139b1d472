import { expect, test } from '../fixtures.ts';
import { recordTrpcCalls } from '../trpc-calls.ts';

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

  test('events filtered to one probe are searched on that probe only', async ({ eventsPage, page }) => {
    const probe = 'probe-d';
    const log = await recordTrpcCalls(page, 'events.search');
    await eventsPage.goto(`?node=${probe}&range=1h`);
    await expect(page.getByRole('combobox', { name: 'Node' })).toHaveValue(probe);
    await expect(eventsPage.rows.first()).toBeVisible();
    await expect(eventsPage.list.coverage).toHaveText('✓1 of 1 node');

    const calls = await log.stop();
    const fetched = calls.flatMap((call) => call.items ?? []);
    test.info().annotations.push({
      type: 'events.search',
      description: `${calls.length} calls, ${fetched.length} rows fetched for ${probe}`,
    });
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(call.input).toMatchObject({ nodePath: probe });
    expect(fetched.length).toBeGreaterThan(0);
    expect(new Set(fetched.map((event) => event.nodePath))).toEqual(new Set([probe]));
  });
});
