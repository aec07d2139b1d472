// The server apps' production bundles (decision 23): where each app's source entry and its bundle
// are, and whether a bundle is current. Building them is ./build-app-bundles.ts.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A server app's entry, by path from the repository root. */
export interface AppBundle {
  /** The TypeScript entry (run through tsx in development and tests). */
  source: string;
  /** Its bundle: workspace code inlined, node_modules left to Node, a source map beside it. */
  bundle: string;
  /** esbuild's metafile for the bundle: the sources it was built from. */
  metafile: string;
}

function appBundle(app: string): AppBundle {
  return {
    source: `apps/${app}/src/main.ts`,
    bundle: `apps/${app}/dist/main.js`,
    metafile: `apps/${app}/dist/main.meta.json`,
  };
}

/** Every server app `npm run build` bundles. */
export const APP_BUNDLES = {
  node: appBundle('node'),
  bff: appBundle('bff'),
  simulator: appBundle('simulator'),
} as const satisfies Record<string, AppBundle>;

/**
 * Why `bundle` cannot run as the current code (missing, or older than a source it was built
 * from), or undefined when it is current. Paths are from `root`, the repository root.
 */
export function bundleStaleness(root: string, { bundle, metafile }: AppBundle): string | undefined {
  const bundlePath = join(root, bundle);
  const metaPath = join(root, metafile);
  if (!existsSync(bundlePath) || !existsSync(metaPath)) return `${bundle} is missing`;
  const builtAt = statSync(bundlePath).mtimeMs;
  const { inputs } = JSON.parse(readFileSync(metaPath, 'utf8')) as { inputs: Record<string, unknown> };
  const newer = Object.keys(inputs).find((input) => {
    const path = join(root, input);
    return !existsSync(path) || statSync(path).mtimeMs > builtAt;
  });
  return newer === undefined ? undefined : `${newer} changed after ${bundle} was built`;
}
