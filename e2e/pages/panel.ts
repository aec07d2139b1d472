import type { Locator, Page } from '@playwright/test';

/** A widget (FanOutPanel) by its heading, with its coverage badge. */
export class Panel {
  readonly root: Locator;

  constructor(page: Page, title: string | RegExp) {
    this.root = page.getByRole('region', { name: title, exact: typeof title === 'string' });
  }

  /** The coverage badge's one-line summary, e.g. "3 of 4 nodes; probe-c unreachable". */
  get coverage(): Locator {
    return this.root.getByTestId('coverage-badge').locator('summary');
  }
}
