// `npm run build`'s server half (decision 23): each server app bundled into one ES module with
// esbuild. Workspace packages (TypeScript source) are inlined; everything in node_modules stays
// external, loaded by Node as installed (native addons, PGlite's WebAssembly, pino's workers).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { APP_BUNDLES, type AppBundle } from './app-bundles.ts';

/** Workspace packages are inlined; any other bare import is a dependency Node loads itself. */
const dependenciesExternal: Plugin = {
  name: 'dependencies-external',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@tierscope/') ? undefined : { path: args.path, external: true },
    );
  },
};

async function buildAppBundle(root: string, app: AppBundle): Promise<void> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [app.source],
    outfile: app.bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    // Sources in the map, so a stack trace needs only the bundle and its map.
    sourcesContent: true,
    metafile: true,
    logLevel: 'warning',
    plugins: [dependenciesExternal],
  });
  await mkdir(dirname(join(root, app.metafile)), { recursive: true });
  await writeFile(join(root, app.metafile), JSON.stringify(result.metafile));
}

/** Bundles every server app under `root` (the repository root), in parallel. */
export async function buildAppBundles(root: string): Promise<void> {
  await Promise.all(Object.values(APP_BUNDLES).map((app) => buildAppBundle(root, app)));
}
