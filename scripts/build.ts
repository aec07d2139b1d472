// `npm run build`: the production build (decision 23). The server apps become bundles in
// apps/*/dist (what `npm start` and the benches run); the console becomes apps/web/dist, with a
// brotli and a gzip copy of each text asset beside it for the BFF to serve.
import { spawnSync } from 'node:child_process';
import { buildAppBundles } from '@tierscope/test-support/build-app-bundles';
import { REPO_ROOT } from '@tierscope/test-support/processes';

const started = performance.now();
await buildAppBundles(REPO_ROOT);
process.stderr.write(`server bundles built in ${Math.round(performance.now() - started)} ms\n`);

const web = spawnSync(
  'npm',
  ['run', '--silent', 'build', '-w', '@tierscope/web', '--', '--logLevel', 'error'],
  {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  },
);
if (web.status !== 0) process.exit(web.status ?? 1);
