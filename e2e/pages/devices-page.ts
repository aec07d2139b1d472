import type { Locator, Page } from '@playwright/test';
import { Panel } from './panel.ts';

export class DevicesPage {
  readonly list: Panel;

  constructor(readonly page: Page) {
    this.list = new Panel(page, /devices$/i);
  }

  async goto(query = ''): Promise<void> {
    await this.page.goto(`/devices${query}`);
    await this.page.getByRole('heading', { level: 1, name: 'Devices' }).waitFor();
  }

  get table(): Locator {
    return this.page.getByRole('table', { name: 'Devices' });
  }

  /** Body rows of the virtualised table (only those rendered). */
  get rows(): Locator {
    return this.table.getByRole('row').filter({ has: this.page.getByRole('cell') });
  }

  async search(text: string): Promise<void> {
    await this.page.getByRole('searchbox', { name: 'Search' }).fill(text);
  }

  async filterStatus(status: 'online' | 'offline' | 'unknown' | ''): Promise<void> {
    await this.page.getByRole('combobox', { name: 'Status' }).selectOption(status);
  }

  async filterNode(path: string): Promise<void> {
    await this.page.getByRole('combobox', { name: 'Node' }).selectOption(path);
  }
}
