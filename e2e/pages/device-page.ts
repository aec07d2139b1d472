import type { Locator, Page } from '@playwright/test';
import { Panel } from './panel.ts';

export class DevicePage {
  readonly device: Panel;
  readonly latest: Panel;
  readonly events: Panel;
  readonly alerts: Panel;

  constructor(readonly page: Page) {
    this.device = new Panel(page, 'Device');
    this.latest = new Panel(page, 'Latest values');
    this.events = new Panel(page, 'Events');
    this.alerts = new Panel(page, 'Alerts');
  }

  async goto(nodePath: string, deviceId: string, range = '1h'): Promise<void> {
    await this.page.goto(`/devices/${encodeURIComponent(deviceId)}?node=${nodePath}&range=${range}`);
  }

  get heading(): Locator {
    return this.page.getByRole('heading', { level: 1 });
  }

  /** The owning node as the device panel links it. */
  get owningNode(): Locator {
    return this.device.root.getByRole('link').first();
  }

  /** The metric charts (each an image with a description of its data). */
  get charts(): Locator {
    return this.page.locator('.chart[role="img"]');
  }

  rangeButton(name: string): Locator {
    return this.page.getByRole('button', { name });
  }
}
