import type { Locator, Page } from '@playwright/test';
import { Panel } from './panel.ts';

export class OverviewPage {
  readonly nodeTree: Panel;
  readonly ingestChart: Panel;
  readonly devicesOnlineChart: Panel;
  readonly alerts: Panel;

  constructor(readonly page: Page) {
    this.nodeTree = new Panel(page, 'Node tree');
    this.ingestChart = new Panel(page, 'Ingest rate by node');
    this.devicesOnlineChart = new Panel(page, 'Devices online by node');
    this.alerts = new Panel(page, 'Firing alerts');
  }

  async goto(): Promise<void> {
    await this.page.goto('/');
    await this.page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  }

  /** The fleet's device total as the summary tile shows it ("280", or "≥ 210" when partial). */
  get devicesTotal(): Locator {
    return this.page.getByTestId('devices-total');
  }

  get nodesLive(): Locator {
    return this.page.getByTestId('kpi-nodes');
  }

  /** A row of the node tree by node path ("" is the root). */
  nodeRow(path: string): Locator {
    return this.nodeTree.root.locator(`[data-testid="node-row"][data-path="${path}"]`);
  }

  /** Firing alerts of one severity as the alerts panel shows them ("4", or "≥ 3" when partial). */
  alertCount(severity: 'critical' | 'warning' | 'info'): Locator {
    return this.alerts.root.getByTestId(`alert-count-${severity}`).getByTestId('alert-count-value');
  }

  /**
   * The time of a chart's first point (ms), from the box around it (`data-from`); NaN before it
   * has two points.
   */
  async chartStartsAt(chart: Panel): Promise<number> {
    const box = chart.root.getByTestId('history-chart');
    return (await box.count()) === 0 ? Number.NaN : Number(await box.getAttribute('data-from'));
  }

  get nodeRows(): Locator {
    return this.nodeTree.root.getByTestId('node-row');
  }
}
