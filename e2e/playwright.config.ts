import { defineConfig } from '@playwright/test';
import { CHROMIUM } from './chromium.ts';

// One deployment (global-setup.ts) serves every test, so tests run one at a time; the fault test,
// which kills a probe, runs after all the others.
export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  globalSetup: './global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  // A stray test.only would run one test and pass: CI refuses it. The whole run is bounded too.
  forbidOnly: process.env.CI === 'true',
  globalTimeout: 40 * 60_000,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: CHROMIUM,
    viewport: { width: 1440, height: 900 },
    colorScheme: 'light',
    // The service worker's cache would make runs depend on each other; its own test allows it.
    serviceWorkers: 'block',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  projects: [
    { name: 'console', testIgnore: /faults\.spec\.ts/ },
    { name: 'faults', testMatch: /faults\.spec\.ts/, dependencies: ['console'] },
  ],
});
