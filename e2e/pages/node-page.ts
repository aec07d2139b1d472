import type { Locator, Page } from '@playwright/test';
import { Panel } from './panel.ts';

export class NodePage {
  readonly health: Panel;
  readonly backlogs: Panel;
  readonly alerts: Panel;
  readonly children: Panel;
  readonly devices: Panel;
  readonly deadLetters: Panel;

  constructor(readonly page: Page) {
    this.health = new Panel(page, 'Health');
    this.backlogs = new Panel(page, 'Backlogs');
    this.alerts = new Panel(page, 'Open alerts');
    this.children = new Panel(page, 'Children');
    this.devices = new Panel(page, 'Devices');
    this.deadLetters = new Panel(page, 'Dead letters');
  }

  async goto(path: string): Promise<void> {
    await this.page.goto(`/nodes/${path}`);
    await this.health.root.waitFor();
  }

  get breadcrumbs(): Locator {
    return this.page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('listitem');
  }

  get status(): Locator {
    return this.health.root.getByTestId('node-status');
  }

  /** One backlog by its key: `ingest`, `webhook:<id>`, `parent:uplink`, `parent:dialled`. */
  backlog(key: string): Locator {
    return this.backlogs.root.locator(`[data-testid="backlog"][data-backlog="${key}"]`);
  }

  /** How many items the backlog holds, as a number. */
  async backlogDepth(key: string): Promise<number> {
    const text = await this.backlog(key).getByTestId('backlog-depth').textContent();
    return Number((text ?? '').replace(/[^0-9]/g, ''));
  }

  childRow(path: string): Locator {
    return this.children.root.locator(`[data-testid="node-row"][data-path="${path}"]`);
  }
}
