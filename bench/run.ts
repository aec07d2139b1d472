// `npm run bench -- <name> [--quick]`: runs bench/<name>.bench.ts and prints its one JSON line.
import { existsSync, readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildAppBundles } from '@tierscope/test-support/build-app-bundles';
import { launchBundles, REPO_ROOT } from '@tierscope/test-support/processes';
import { progress, runInterruptCleanups } from './lib/bench.ts';
import { runOneBench, type BenchModule } from './lib/integrity.ts';

const here = new URL('./', import.meta.url);
const available = readdirSync(here)
  .filter((file) => file.endsWith('.bench.ts'))
  .map((file) => file.slice(0, -'.bench.ts'.length));

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { quick: { type: 'boolean', default: false } },
});
const name = positionals[0];
if (
  positionals.length !== 1 ||
  !name ||
  !/^[a-z0-9-]+$/.test(name) ||
  !existsSync(new URL(`${name}.bench.ts`, here))
) {
  process.stderr.write(`usage: tsx bench/run.ts <name> [--quick]\nbenches: ${available.join(', ')}\n`);
  process.exit(2);
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    progress(`${signal}: cleaning up`);
    void runInterruptCleanups().finally(() => process.exit(130));
  });
}

try {
  // Benches measure what ships: the server apps' production bundles (decision 23), built here
  // (about a second) so a bench never runs code older than the tree.
  const started = performance.now();
  await buildAppBundles(REPO_ROOT);
  launchBundles();
  progress(`server bundles built in ${Math.round(performance.now() - started)} ms`);
  const bench = (await import(new URL(`${name}.bench.ts`, here).href)) as BenchModule;
  process.exitCode = await runOneBench(
    name,
    bench,
    { quick: values.quick },
    {
      line: (text) => process.stdout.write(`${text}\n`),
      progress,
    },
  );
} catch (error) {
  progress(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  await runInterruptCleanups();
  process.exitCode = 1;
}
