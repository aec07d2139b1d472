import { expect, test } from '../fixtures.ts';

test.describe('overview', () => {
  test("shows the same device count as the BFF's API", async ({ overviewPage, api, deployment }) => {
    // Counts come from each tier's heartbeat: on a busy machine one can lag a beat behind.
    await expect
      .poll(async () => {
        const { total, lowerBound } = (await api.node.info.query()).devices;
        return { total, complete: !lowerBound };
      })
      .toEqual({ total: deployment.expectedDevices, complete: true });
    const info = await api.node.info.query();

    await overviewPage.goto();
    await expect(overviewPage.devicesTotal).toHaveText(info.devices.total.toLocaleString('en-US'));
  });

  test('shows every node of the tree live, with complete coverage', async ({ overviewPage, deployment }) => {
    await overviewPage.goto();
    const paths = ['', ...deployment.nodes.map((node) => node.path)].sort();
    await expect(overviewPage.nodeRows).toHaveCount(paths.length);
    for (const path of paths) await expect(overviewPage.nodeRow(path)).toHaveAttribute('data-status', 'live');
    await expect(overviewPage.nodeTree.coverage).toHaveText(
      `✓${paths.length - 1} of ${paths.length - 1} nodes`,
    );
    await expect(overviewPage.nodesLive).toContainText('every node heard from');
  });

  test('charts ingest per node from the live node stream', async ({ overviewPage }) => {
    await overviewPage.goto();
    // The history is sampled in the browser: the chart appears once two samples have arrived.
    await expect(overviewPage.ingestChart.root.locator('.chart[role="img"]')).toHaveAttribute(
      'aria-label',
      /Ingest rate by node over the last \d+ samples; now probe-a [\d.,]+ samples\/s/,
    );
  });
});
