import type { Locator, Page } from '@playwright/test';
import { Panel } from './panel.ts';

/** /admin/audit: filters in the URL, the entries newest first, the chain check. */
export class AuditPage {
  readonly entries: Panel;

  constructor(readonly page: Page) {
    this.entries = new Panel(page, 'Audit entries');
  }

  async goto(query = ''): Promise<void> {
    await this.page.goto(`/admin/audit${query}`);
    await this.page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
  }

  get rows(): Locator {
    return this.page.getByRole('table', { name: 'Audit log' }).getByRole('row');
  }
}
