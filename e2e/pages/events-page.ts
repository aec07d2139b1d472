import type { Locator, Page } from '@playwright/test';
import { Panel } from './panel.ts';

export class EventsPage {
  readonly list: Panel;

  constructor(readonly page: Page) {
    this.list = new Panel(page, /^Events/);
  }

  async goto(query = ''): Promise<void> {
    await this.page.goto(`/events${query}`);
    await this.page.getByRole('heading', { level: 1, name: 'Events' }).waitFor();
  }

  get rows(): Locator {
    return this.page
      .getByRole('table', { name: 'Events' })
      .getByRole('row')
      .filter({ has: this.page.getByRole('cell') });
  }
}
