import type { Locator, Page } from '@playwright/test';
import { Panel } from './panel.ts';

/** The alerts page: filters in the URL, the live list of alert cards. */
export class AlertsPage {
  readonly list: Panel;

  constructor(readonly page: Page) {
    this.list = new Panel(page, /alerts$/i);
  }

  async goto(query = ''): Promise<void> {
    await this.page.goto(`/alerts${query}`);
    await this.page.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
  }

  get rows(): Locator {
    return this.page.getByTestId('alert-row');
  }

  /** One alert's card by its owner and id. */
  row(nodePath: string, id: string): Locator {
    return this.page.locator(`[data-testid="alert-row"][data-node="${nodePath}"][data-alert-id="${id}"]`);
  }

  /** The card now at `index`, followed by its owner and id wherever the live list moves it. */
  async byPosition(index: number): Promise<Locator> {
    const { nodePath, id } = await this.keysAt(index);
    return this.row(nodePath, id);
  }

  /** The owner, id and device of the card now at `index`, read in one go (the list re-sorts live). */
  keysAt(index: number): Promise<{ nodePath: string; id: string; deviceId: string }> {
    return this.keysOf(this.rows.nth(index));
  }

  /**
   * The owner, id and device of the card `row` finds now, read in one go: the list re-sorts live,
   * so reading them one at a time can mix two cards.
   */
  keysOf(row: Locator): Promise<{ nodePath: string; id: string; deviceId: string }> {
    return row.evaluate((el: HTMLElement) => ({
      nodePath: el.dataset.node!,
      id: el.dataset.alertId!,
      deviceId: el.dataset.device!,
    }));
  }

  /** The card's ack mark: "Acked by console 3 seconds ago" and the note. */
  ackOf(row: Locator): Locator {
    return row.getByTestId('alert-ack');
  }

  async ack(row: Locator, note: string): Promise<void> {
    await row.getByRole('button', { name: /^Ack / }).click();
    await row.getByRole('textbox', { name: 'Note (optional)' }).fill(note);
    await row.getByRole('button', { name: 'Ack alert' }).click();
  }
}
