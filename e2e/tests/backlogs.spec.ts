import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTcpProxy } from '@tierscope/test-support/tcp-proxy';
import { connectPublisher, publishingDevice } from '../alert-rules.ts';
import { expect, test } from '../fixtures.ts';

// Issue 13, done-when 4: the console shows a backlog growing while a link is cut and draining once
// it is back. The link is probe-c's to its webhook receiver (the only backlog whose growth the
// console can watch live: a probe cut from its parent is seen only as its last-known info).
const ARTIFACTS = new URL('../artifacts/', import.meta.url).pathname;
const PROBE_PATH = 'district-1/probe-c';
const WEBHOOK = 'webhook:e2e-receiver';
const DEVICES = [publishingDevice(1), publishingDevice(2)];

/** A webhook receiver that answers 200 and keeps each notification's Idempotency-Key. */
async function startReceiver(): Promise<{ server: Server; port: number; keys: string[] }> {
  const keys: string[] = [];
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      keys.push(String(request.headers['idempotency-key']));
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, keys };
}

test.describe('backlogs', () => {
  test('every probe owes its parent nothing while the parent calls it, by uplink or by dialling', async ({
    api,
  }) => {
    await expect
      .poll(async () => {
        const root = await api.node.info.query();
        const probes = (root.children ?? []).flatMap((child) => [child, ...(child.info?.children ?? [])]);
        return probes
          .filter((child) => child.path.includes('probe-'))
          .map((child) =>
            child.info?.backlogs?.parents.map((parent) => `${parent.via}:${parent.away}:${parent.depth}`),
          )
          .flat()
          .sort();
      })
      .toEqual(['dialled:false:0', 'dialled:false:0', 'uplink:false:0', 'uplink:false:0']);
  });

  // Tall enough for the health, backlogs and open alerts panels together.
  test.use({ viewport: { width: 1440, height: 1300 } });

  test("a probe's webhook backlog grows while its receiver is cut off, stalls, and drains to zero once the link is back", async ({
    deployment,
    nodePage,
    page,
    api,
  }) => {
    test.setTimeout(180_000);
    const probe = deployment.nodes.find((node) => node.id === deployment.probeWebhook.probeId)!;
    const receiver = await startReceiver();
    // The probe posts to the port the deployment gave it; the proxy there is the link to the receiver.
    const link = await startTcpProxy(
      { host: '127.0.0.1', port: receiver.port },
      deployment.probeWebhook.port,
    );
    const publisher = await connectPublisher(probe.mqttUrl);
    try {
      await nodePage.goto(PROBE_PATH);
      await expect(nodePage.backlog(WEBHOOK)).toHaveAttribute('data-trend', 'empty', { timeout: 30_000 });
      link.cut();

      // Two alerts fire: two notifications wait.
      for (const device of DEVICES) await publisher.publishLevel(device, 500);
      await expect.poll(() => nodePage.backlogDepth(WEBHOOK), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
      await expect(nodePage.backlog(WEBHOOK)).toHaveAttribute('data-trend', /growing|stalled/);
      await page.screenshot({ path: `${ARTIFACTS}backlog-1-rising.png` });

      // They resolve (after the engine's clear time): two more wait behind them, and the drain has stalled.
      for (const device of DEVICES) await publisher.publishLevel(device, 10);
      await expect.poll(() => nodePage.backlogDepth(WEBHOOK), { timeout: 30_000 }).toBe(4);
      await expect(nodePage.backlog(WEBHOOK)).toHaveAttribute('data-trend', 'stalled', { timeout: 30_000 });
      await expect(nodePage.alerts.root.getByText('Backlog drain stalled').first()).toBeVisible({
        timeout: 30_000,
      });
      await page.screenshot({ path: `${ARTIFACTS}backlog-2-stalled.png` });

      // The district's page flags it in the tree too.
      await nodePage.goto('district-1');
      await expect(nodePage.childRow(PROBE_PATH).getByTestId('backlog-flag')).toHaveText('backlog stalled', {
        timeout: 30_000,
      });
      // Every panel settled, so the tree stays where it was scrolled to.
      await expect(page.locator('main [aria-busy="true"]')).toHaveCount(0);
      await nodePage.childRow(PROBE_PATH).scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${ARTIFACTS}backlog-3-tree-stalled.png` });

      link.restore();
      await nodePage.goto(PROBE_PATH);
      await expect(nodePage.backlog(WEBHOOK)).toHaveAttribute('data-trend', 'empty', { timeout: 30_000 });
      await expect(nodePage.backlog(WEBHOOK).getByTestId('backlog-depth')).toHaveText('0');
      await page.screenshot({ path: `${ARTIFACTS}backlog-4-drained.png` });

      // Every notification arrived once, and the stalled alert is resolved.
      expect(new Set(receiver.keys).size).toBe(4);
      await expect
        .poll(
          async () => {
            const page = await api.alerts.list.query({
              nodePath: PROBE_PATH,
              states: ['firing'],
              limit: 100,
            });
            return page.items.filter((alert) => alert.ruleId === 'backlog-stalled').length;
          },
          { timeout: 30_000 },
        )
        .toBe(0);
    } finally {
      await publisher.close();
      await link.close();
      await new Promise((resolve) => receiver.server.close(resolve));
    }
  });
});
