import type { Locator, Page } from '@playwright/test';
import { Panel } from './panel.ts';

export class NodePage {
  readonly health: Panel;
  readonly children: Panel;
  readonly devices: Panel;
  readonly deadLetters: Panel;

  constructor(readonly page: Page) {
    this.health = new Panel(page, 'Health');
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

  childRow(path: string): Locator {
    return this.children.root.locator(`[data-testid="node-row"][data-path="${path}"]`);
  }
}
