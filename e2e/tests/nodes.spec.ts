import { expect, test } from '../fixtures.ts';

test.describe('node tree and node pages', () => {
  test('drills down the node tree to a probe, with breadcrumbs by node path', async ({
    overviewPage,
    nodePage,
    page,
  }) => {
    await overviewPage.goto();
    await overviewPage.nodeRow('district-1/probe-b').getByRole('link', { name: 'probe-b' }).click();
    await expect(page).toHaveURL(/\/nodes\/district-1\/probe-b$/);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('probe-b');
    await expect(nodePage.breadcrumbs).toHaveText(['Fleet', 'district-1']);
    await expect(nodePage.status).toHaveText('live');
    await expect(nodePage.health.root).toContainText('connected');
    await expect(nodePage.health.root).toContainText('reachable');
    // Its own devices only.
    await expect(nodePage.devices.root.getByRole('row').nth(1)).toContainText('district-1/probe-b');

    await nodePage.breadcrumbs.getByRole('link', { name: 'district-1' }).click();
    await expect(page).toHaveURL(/\/nodes\/district-1$/);
    for (const probe of ['probe-a', 'probe-b', 'probe-c'])
      await expect(nodePage.childRow(`district-1/${probe}`)).toHaveAttribute('data-status', 'live');
  });

  test('lists dead letters with their reasons', async ({ nodePage }) => {
    await nodePage.goto('');
    // The simulators send an invalid payload every 500 messages; each lands in a dead letter.
    await expect(nodePage.deadLetters.root.getByRole('listitem').first()).toContainText(
      /Not JSON|Invalid payload|Unknown topic|Bad device id|Too large/,
      { timeout: 60_000 },
    );
  });

  test('says so for a node that does not exist', async ({ page }) => {
    await page.goto('/nodes/district-9');
    await expect(page.getByText('No node district-9 in the tree')).toBeVisible();
  });
});
