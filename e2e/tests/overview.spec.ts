import { expect, test } from '../fixtures.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const floorToMinute = (at: number) => Math.floor(at / MINUTE_MS) * MINUTE_MS;

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
    await expect(overviewPage.ingestChart.root.locator('.chart[role="img"]')).toHaveAttribute(
      'aria-label',
      /Ingest rate by node over the last .+ \(\d+ points\); now probe-a [\d.,]+ samples\/s/,
    );
  });

  test('shows the history the nodes recorded the moment it opens, across a reload', async ({
    overviewPage,
    page,
    api,
  }) => {
    await overviewPage.goto();
    await page.reload();
    await overviewPage.page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    // When this document started loading: a tab's own samples all come after it.
    const opened = await page.evaluate(() => Math.floor(performance.timeOrigin));
    const charts = [
      { chart: overviewPage.ingestChart, metric: 'ingest.samplesPerSec' },
      { chart: overviewPage.devicesOnlineChart, metric: 'devices.online' },
    ] as const;
    for (const { chart, metric } of charts) {
      // A point in a minute that ended before the page opened holds readings the tab never saw.
      await expect.poll(() => overviewPage.chartStartsAt(chart)).toBeLessThan(floorToMinute(opened));
      // And the chart reaches as far back as the nodes' own record of the last hour: the whole hour,
      // or all of it when the deployment is younger (one minute of slack: the chart asked a moment
      // before this did).
      const recorded = await api.node.history.query({ metric, from: opened - HOUR_MS, to: Date.now() });
      const firstRecorded = Math.min(...recorded.series.flatMap((series) => series.points.map((p) => p.ts)));
      expect(await overviewPage.chartStartsAt(chart)).toBeLessThanOrEqual(firstRecorded + MINUTE_MS);
    }
  });
});
