import { expect, test } from '../fixtures.ts';

// Runs last (its own project): it kills a probe of the shared deployment.
test('a probe killed during the test makes affected widgets show the incomplete badge naming it', async ({
  deployment,
  overviewPage,
  devicesPage,
  alertsPage,
  api,
}) => {
  const victim = deployment.nodes.find((node) => node.id === 'probe-c');
  if (!victim) throw new Error('the deployment has no probe-c');
  await overviewPage.goto();
  await expect(overviewPage.nodeTree.coverage).toHaveText(/✓\d+ of \d+ nodes$/);
  await expect(overviewPage.alerts.coverage).toHaveText(/✓\d+ of \d+ nodes$/);
  await expect(overviewPage.alertCount('critical')).toHaveText(/^\d+$/);

  process.kill(victim.pid, 'SIGKILL');

  // The open overview follows the live stream: the tree marks it down and the badge names it.
  await expect(overviewPage.nodeRow(victim.path)).toHaveAttribute('data-status', 'down');
  await expect(overviewPage.nodeTree.coverage).toHaveText(/⚠\d+ of \d+ nodes; probe-c unreachable/);
  // Totals are now lower bounds, as the API says.
  await expect.poll(async () => (await api.node.info.query()).devices.lowerBound).toBe(true);
  await expect(overviewPage.devicesTotal).toHaveText(/^≥ /);
  // The alert widget too: its counts come from a stream that can no longer hear from probe-c.
  await expect(overviewPage.alerts.coverage).toHaveText(/⚠\d+ of \d+ nodes; probe-c unreachable/);
  await expect(overviewPage.alertCount('critical')).toHaveText(/^≥ \d+/);

  // The alerts page names it, raises "node unreachable" for it, and keeps its alerts as stale copies.
  await alertsPage.goto();
  await expect(alertsPage.list.coverage).toHaveText(/⚠\d+ of \d+ nodes; probe-c unreachable/);
  await expect(
    alertsPage.rows
      .filter({ hasText: 'Node unreachable' })
      .and(alertsPage.page.locator(`[data-node="${victim.path}"]`)),
  ).toHaveCount(1);
  const staleRows = alertsPage.rows.and(
    alertsPage.page.locator(`[data-node="${victim.path}"][data-stale="true"]`),
  );
  await expect(staleRows.first()).toBeVisible();
  await expect(staleRows.first().getByTestId('alert-stale')).toHaveText(/^Stale · last known .+ ago/);

  // A fresh fan-out names it too, and its devices are gone from the list.
  await devicesPage.goto();
  await expect(devicesPage.list.coverage).toHaveText(/⚠\d+ of \d+ nodes; probe-c (unreachable|timed out)/);
  await expect(devicesPage.rows.first()).toBeVisible();
  await expect(devicesPage.table.getByRole('cell', { name: victim.path, exact: true })).toHaveCount(0);
});
