import { defineConfig } from 'vitest/config';

// Three projects: fast unit tests, *.int.test.ts that need PostgreSQL, MQTT or real processes, and
// the console's tests in a DOM (happy-dom). The browser end to end is Playwright's (e2e/).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            '{apps,packages}/*/src/**/*.test.ts',
            'bench/**/*.test.ts',
            'faults/**/*.test.ts',
            'eslint.config.test.ts',
          ],
          exclude: ['**/*.int.test.ts', '**/node_modules/**', 'apps/web/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['{apps,packages}/*/src/**/*.int.test.ts'],
          // Tiers run from their production bundles, built once per run (decision 23).
          globalSetup: ['packages/test-support/src/integration-global-setup.ts'],
          setupFiles: ['packages/test-support/src/integration-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Integration files start brokers, databases and node processes: one file at a time.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        esbuild: { jsx: 'automatic' },
        test: {
          name: 'web',
          include: ['apps/web/src/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          setupFiles: ['apps/web/src/test-setup.ts'],
          // A fixed zone, so time-range and formatting tests read the same on every machine.
          env: { TZ: 'Europe/Berlin' },
        },
      },
    ],
  },
});
