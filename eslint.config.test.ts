import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

// Each probe is one import, linted with the repo's own config as if it lived at `file`. The probe files
// need not exist: the boundary rules read only the import string, so type-aware parsing is switched off.
const eslint = new ESLint({
  cwd: fileURLToPath(new URL('.', import.meta.url)),
  overrideConfig: tseslint.configs.disableTypeChecked as Linter.Config,
});

async function lintImport(file: string, specifier: string) {
  const [result] = await eslint.lintText(`import '${specifier}';\n`, { filePath: file });
  if (!result) throw new Error(`ESLint returned no result for ${file}`);
  return result.messages;
}

async function boundaryErrors(file: string, specifier: string) {
  const messages = await lintImport(file, specifier);
  return messages.filter((m) => m.ruleId?.endsWith('no-restricted-imports')).map((m) => m.message);
}

describe('lint boundaries', () => {
  it.each([
    ['apps/node/src/ingest/boundary-probe.ts', '../testing/node-process.ts'],
    ['packages/notify/src/boundary-probe.ts', './testing/test-alerts.ts'],
    ['packages/notify/src/boundary-probe.ts', '@tierscope/test-support/test-receiver'],
    ['apps/node/src/ingest/boundary-probe.ts', '@tierscope/test-support/processes'],
    ['apps/bff/src/console/boundary-probe.ts', '../testing/test-app.ts'],
    ['apps/bff/src/console/boundary-probe.ts', '@tierscope/federation/testing/in-memory-node-service.ts'],
    ['packages/federation/src/boundary-probe.ts', './testing/in-memory-node-service.ts'],
    ['packages/federation/src/query/boundary-probe.ts', '../testing/in-process-link.ts'],
    ['packages/federation/src/boundary-probe.ts', '@tierscope/test-support/test-broker'],
    ['packages/shared/src/boundary-probe.ts', '@tierscope/test-support'],
    ['apps/web/src/features/alerts/boundary-probe.ts', './testing/test-alerts.ts'],
    ['apps/web/src/lib/boundary-probe.ts', '../features/alerts/testing/test-alerts.ts'],
    ['scripts/boundary-probe.ts', '../packages/federation/src/testing/serve-node.ts'],
  ])('refuses a test double in production code: %s importing %s', async (file, specifier) => {
    expect(await boundaryErrors(file, specifier)).not.toEqual([]);
  });

  it.each([
    ['packages/federation/src/boundary-probe.ts', '../../../apps/node/src/main.ts'],
    ['packages/shared/src/contract/boundary-probe.ts', '../../../../apps/bff/src/env.ts'],
    ['packages/federation/src/boundary-probe.ts', '@tierscope/node'],
    ['packages/store/src/boundary-probe.ts', '@tierscope/bff/src/main.ts'],
    ['packages/test-support/src/boundary-probe.ts', '@tierscope/simulator'],
    ['packages/federation/src/boundary-probe.test.ts', '../../../apps/node/src/testing/node-process.ts'],
    ['apps/bff/src/boundary-probe.ts', '../../node/src/main.ts'],
    ['apps/bff/src/boundary-probe.int.test.ts', '../../node/src/testing/node-process.ts'],
    ['apps/web/src/features/devices/boundary-probe.ts', '../../../../node/src/env.ts'],
    ['apps/web/src/features/devices/boundary-probe.ts', '@tierscope/bff'],
    ['apps/web/src/components/ui/boundary-probe.tsx', '@tierscope/node'],
    ['apps/web/src/lib/boundary-probe.ts', '../../../../apps/bff/src/env.ts'],
    ['apps/web/src/features/alerts/boundary-probe.test.ts', '@tierscope/bff'],
    ['bench/boundary-probe.ts', '../apps/node/src/ingest/journal.ts'],
    ['scripts/boundary-probe.ts', '../apps/bff/src/env.ts'],
    ['e2e/boundary-probe.ts', '../apps/web/src/lib/format.ts'],
  ])('refuses an import from an app: %s importing %s', async (file, specifier) => {
    expect(await boundaryErrors(file, specifier)).not.toEqual([]);
  });

  it.each([
    ['packages/shared/src/domain/order.ts', 'zod'],
    ['packages/shared/src/domain/order.ts', '../contract/order-keys.ts'],
    ['packages/shared/src/domain/order.ts', '@tierscope/bff'],
  ])(
    "keeps the first route's comparators free of run-time imports: %s importing %s",
    async (file, specifier) => {
      expect(await boundaryErrors(file, specifier)).not.toEqual([]);
    },
  );

  it.each([
    ['e2e/boundary-probe.ts', '../scripts/start.ts'],
    ['bench/boundary-probe.ts', '../scripts/start.ts'],
    ['packages/test-support/src/boundary-probe.ts', '../../../scripts/node-token.ts'],
  ])('refuses an import of scripts/: %s importing %s', async (file, specifier) => {
    expect(await boundaryErrors(file, specifier)).not.toEqual([]);
  });

  it.each([
    ['apps/web/src/boundary-probe.tsx', '@tierscope/federation'],
    ['apps/web/src/app/boundary-probe.tsx', '@tierscope/store'],
    ['apps/web/src/features/alerts/boundary-probe.tsx', '@tierscope/federation'],
    ['apps/web/src/features/devices/boundary-probe.ts', 'node:fs'],
    ['apps/web/src/components/charts/boundary-probe.tsx', '@tierscope/federation'],
    ['apps/web/src/components/ui/boundary-probe.tsx', 'postgres'],
    ['apps/web/src/lib/boundary-probe.ts', '@tierscope/test-support/processes'],
    ['apps/web/src/features/alerts/boundary-probe.test.ts', '@tierscope/federation'],
    ['apps/web/src/features/devices/boundary-probe.ts', '@tierscope/shared'],
  ])('refuses server-only code in the console: %s importing %s', async (file, specifier) => {
    expect(await boundaryErrors(file, specifier)).not.toEqual([]);
  });

  it.each([
    ['apps/web/src/features/devices/boundary-probe.ts', '../alerts/alert-store.ts'],
    ['apps/web/src/features/devices/boundary-probe.test.ts', '../alerts/alert-store.ts'],
    ['apps/web/src/components/ui/boundary-probe.tsx', '../../features/alerts/alert-list.tsx'],
    ['apps/web/src/lib/boundary-probe.ts', '../app/routes.tsx'],
  ])('keeps the console layered: %s importing %s', async (file, specifier) => {
    expect(await boundaryErrors(file, specifier)).not.toEqual([]);
  });

  // The allowed side of each boundary: without these, a config that refused every import would pass.
  it.each([
    ['apps/node/src/ingest/boundary-probe.test.ts', '../testing/memory-ingest-store.ts'],
    ['apps/node/src/ingest/boundary-probe.int.test.ts', '@tierscope/test-support/processes'],
    ['apps/node/src/testing/boundary-probe.ts', './memory-ingest-store.ts'],
    ['apps/node/src/ingest/boundary-probe.ts', './journal.ts'],
    ['apps/bff/src/console/boundary-probe.ts', '@tierscope/federation'],
    ['packages/federation/src/boundary-probe.test.ts', './testing/in-memory-node-service.ts'],
    ['packages/federation/src/testing/boundary-probe.ts', '@tierscope/test-support/processes'],
    ['packages/test-support/src/boundary-probe.ts', './processes.ts'],
    ['apps/web/src/features/alerts/boundary-probe.test.ts', './testing/test-alerts.ts'],
    ['apps/web/src/features/devices/boundary-probe.ts', '@tierscope/shared/schemas'],
    ['apps/web/src/features/devices/boundary-probe.ts', '../../components/ui/button.tsx'],
    ['apps/web/src/app/boundary-probe.tsx', '../features/devices/devices-page.tsx'],
    ['bench/boundary-probe.ts', '@tierscope/test-support/processes'],
    ['faults/lib/boundary-probe.ts', '@tierscope/test-support/processes'],
    ['scripts/boundary-probe.ts', '@tierscope/test-support/processes'],
    ['e2e/boundary-probe.ts', '@tierscope/test-support/console-session'],
  ])('allows %s to import %s', async (file, specifier) => {
    expect(await lintImport(file, specifier)).toEqual([]);
  });
});
