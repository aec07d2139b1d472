import { createMemoryHistory, createRootRoute, createRouter, RouterProvider } from '@tanstack/react-router';
import { emptyReportFigures, type ReportFigures } from '@tierscope/shared/schemas';
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ReportGrouping } from './report-search.ts';
import { ReportView } from './report-view.tsx';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Two probes answered, one did not: 10 devices observed for a day, 2 h 24 min down in all. */
function figures(): ReportFigures {
  const base = emptyReportFigures(0, DAY, HOUR, {
    asked: 3,
    answered: 2,
    nodes: [
      { path: 'district-1/probe-a', state: 'ok', latencyMs: 10 },
      { path: 'district-1/probe-b', state: 'ok', latencyMs: 12 },
      { path: 'district-1/probe-c', state: 'unreachable', latencyMs: 0, message: 'down' },
    ],
  });
  return {
    ...base,
    total: { devices: 10, observedMs: 10 * DAY, downMs: 2.4 * HOUR },
    previous: { devices: 10, observedMs: 10 * DAY, downMs: 4.8 * HOUR },
    completeness: { expectedSamples: 1000, receivedSamples: 950 },
    groups: {
      node: [
        {
          key: 'district-1/probe-a',
          devices: 6,
          observedMs: 6 * DAY,
          downMs: 2.4 * HOUR,
          expectedSamples: 600,
          receivedSamples: 560,
        },
        {
          key: 'district-1/probe-b',
          devices: 4,
          observedMs: 4 * DAY,
          downMs: 0,
          expectedSamples: 400,
          receivedSamples: 390,
        },
      ],
      site: [
        {
          key: '',
          devices: 10,
          observedMs: 10 * DAY,
          downMs: 2.4 * HOUR,
          expectedSamples: 1000,
          receivedSamples: 950,
        },
      ],
      kind: [
        {
          key: 'pump',
          devices: 3,
          observedMs: 3 * DAY,
          downMs: 2.4 * HOUR,
          expectedSamples: 300,
          receivedSamples: 280,
        },
        {
          key: 'meter',
          devices: 7,
          observedMs: 7 * DAY,
          downMs: 0,
          expectedSamples: 700,
          receivedSamples: 670,
        },
      ],
    },
    devices: [
      {
        nodePath: 'district-1/probe-a',
        deviceId: 'pump-7',
        name: 'Pump 7',
        kind: 'pump',
        site: 'north',
        devices: 1,
        observedMs: DAY,
        downMs: 2.4 * HOUR,
        expectedSamples: 100,
        receivedSamples: 90,
      },
    ],
    alerts: {
      ...base.alerts,
      total: 3,
      bySeverity: { info: 0, warning: 2, critical: 1 },
      byRule: [{ ruleId: 'hot', ruleName: 'Pump too hot', count: 3 }],
      noisiestDevices: [{ nodePath: 'district-1/probe-a', deviceId: 'pump-7', count: 3 }],
      acknowledge: { count: 2, sumMs: 10 * 60_000, values: [4 * 60_000, 6 * 60_000] },
      resolve: { count: 1, sumMs: 2 * HOUR + 14 * 60_000, values: [2 * HOUR + 14 * 60_000] },
    },
    objectives: [
      {
        name: 'Pumps',
        selector: { kind: 'pump' },
        availability: 0.99,
        current: { devices: 3, observedMs: 3 * DAY, downMs: 2.4 * HOUR },
        previous: { devices: 3, observedMs: 3 * DAY, downMs: 0 },
      },
    ],
  };
}

function renderReport(grouping: ReportGrouping) {
  const router = createRouter({
    routeTree: createRootRoute({ component: () => <ReportView figures={figures()} grouping={grouping} /> }),
    history: createMemoryHistory({ initialEntries: ['/reports'] }),
  });
  render(<RouterProvider router={router} />);
}

describe('the report page', () => {
  it('names the node that did not answer before any figure', async () => {
    renderReport('node');
    const notice = await screen.findByTestId('report-missing-nodes');
    expect(notice.textContent).toContain('district-1/probe-c');
    // The notice comes first in the document, before the headline tiles.
    const tiles = screen.getByTestId('report-availability');
    expect(notice.compareDocumentPosition(tiles) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it('derives the headline figures from the merged parts', async () => {
    renderReport('node');
    expect((await screen.findByTestId('report-availability')).textContent).toContain('99.00%');
    expect(screen.getByTestId('report-availability').textContent).toContain('+1 pts');
    expect(screen.getByTestId('report-completeness').textContent).toContain('95.00%');
    expect(screen.getByTestId('report-mtta').textContent).toContain('5 min');
    expect(screen.getByTestId('report-mttr').textContent).toContain('2 h 14 min');
  });

  it('shows an objective as missed with its error budget overspent', async () => {
    renderReport('node');
    const row = (await screen.findByRole('cell', { name: 'Pumps' })).closest('tr')!;
    expect(within(row).getByText('missed')).toBeTruthy();
    // 1 % of 3 device-days is 43.2 min allowed; 2.4 h were used: 1 − 144 / 43.2.
    expect(within(row).getByText('-233.33%')).toBeTruthy();
  });

  it('groups by the chosen grouping, links nodes and reads unset keys as "not set"', async () => {
    renderReport('node');
    const nodeRows = await screen.findAllByTestId('report-group-row');
    expect(within(nodeRows[0]!).getByRole('link', { name: 'district-1/probe-a' }).getAttribute('href')).toBe(
      '/nodes/district-1/probe-a',
    );
  });

  it('reads a site no device has as "not set"', async () => {
    renderReport('site');
    const [row] = await screen.findAllByTestId('report-group-row');
    expect(row!.textContent).toContain('not set');
  });

  it('drills down from a device row to that device on its node', async () => {
    renderReport('kind');
    const link = (await screen.findAllByRole('link', { name: 'Pump 7' }))[0]!;
    expect(decodeURIComponent(link.getAttribute('href')!)).toBe('/devices/pump-7?node=district-1/probe-a');
  });
});
