import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { AxeBuilder } from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';
import { createApiClient, storageStateOf, type ApiClient } from './api-client.ts';
import { readDeployment, type E2eDeployment } from './deployment.ts';
import { AlertsPage } from './pages/alerts-page.ts';
import { DevicePage } from './pages/device-page.ts';
import { DevicesPage } from './pages/devices-page.ts';
import { EventsPage } from './pages/events-page.ts';
import { NodePage } from './pages/node-page.ts';
import { OverviewPage } from './pages/overview-page.ts';

/** The current axe-core's rules (a direct dependency), not the older copy its Playwright driver pins. */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** Naming the experimental tag is what turns axe's experimental rules on. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice', 'experimental'];

export interface ConsoleFixtures {
  deployment: E2eDeployment;
  /** The BFF's tRPC API over HTTP: what the console's numbers are checked against. */
  api: ApiClient;
  overviewPage: OverviewPage;
  devicesPage: DevicesPage;
  devicePage: DevicePage;
  nodePage: NodePage;
  eventsPage: EventsPage;
  alertsPage: AlertsPage;
  /**
   * axe's serious and critical violations on the page as it is now, by every rule that checks
   * WCAG 2.x A/AA, axe's best practices and its experimental rules (off by default; among them
   * label-content-name-mismatch, WCAG 2.5.3: a control's accessible name contains its visible text).
   */
  seriousViolations: (
    page: Page,
  ) => Promise<{ id: string; impact: string; help: string; targets: string[] }[]>;
}

export const test = base.extend<ConsoleFixtures>({
  deployment: async ({}, use) => use(readDeployment()),
  baseURL: async ({ deployment }, use) => use(deployment.bffUrl),
  // Signed in as the admin unless a test says otherwise (`test.use({ storageState: NO_SESSION })`).
  storageState: async ({ deployment }, use) =>
    use(storageStateOf(deployment.bffUrl, deployment.adminSession)),
  api: async ({ deployment }, use) => use(createApiClient(deployment.bffUrl, deployment.adminSession)),
  overviewPage: async ({ page }, use) => use(new OverviewPage(page)),
  devicesPage: async ({ page }, use) => use(new DevicesPage(page)),
  devicePage: async ({ page }, use) => use(new DevicePage(page)),
  nodePage: async ({ page }, use) => use(new NodePage(page)),
  eventsPage: async ({ page }, use) => use(new EventsPage(page)),
  alertsPage: async ({ page }, use) => use(new AlertsPage(page)),
  seriousViolations: async ({}, use) =>
    use(async (page) => {
      const results = await new AxeBuilder({ page, axeSource: AXE_SOURCE }).withTags(AXE_TAGS).analyze();
      return results.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => ({
          id: v.id,
          impact: v.impact ?? '',
          help: v.help,
          targets: v.nodes.map((n) => n.target.join(' ')),
        }));
    }),
});

/** A browser with no session: it starts at the login page. */
export const NO_SESSION = { cookies: [], origins: [] };

export { expect };
