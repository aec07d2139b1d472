// The phone page's budget (issue 19): what a first visit to a route loads before it can render is
// the console's entry plus the route's module and everything they import statically. That must not
// include chart code, admin code or another page's code: those load on demand (dynamic imports).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const WEB_ROOT = fileURLToPath(new URL('../../apps/web/', import.meta.url));
export const CONSOLE_ENTRY = 'src/main.tsx';
/** The routes a phone opens first: the overview and, at night, the alerts page. */
export const FIRST_ROUTES = { '/': 'src/app/routes/overview.tsx', '/alerts': 'src/app/routes/alerts.tsx' };

/** What a first route must not load before it renders, by module path, and why. */
export const NOT_IN_A_FIRST_ROUTE: readonly { pattern: RegExp; what: string }[] = [
  { pattern: /node_modules\/(echarts|zrender)\//, what: 'chart code (ECharts)' },
  { pattern: /src\/components\/charts\//, what: 'chart code (the console’s chart components)' },
  { pattern: /src\/app\/admin-layout\.tsx$/, what: 'admin code' },
  { pattern: /src\/features\/(users|audit|node-tokens)\//, what: 'admin code' },
  { pattern: /node_modules\/diff\//, what: 'the policy page’s diff' },
];

/** Every console module (by path from apps/web) with the modules it imports statically. */
export type ImportGraph = Record<string, readonly string[]>;

/**
 * The console's static import graph, from the entry and every given route module: read from
 * esbuild's metafile, which records each import with its kind, without writing a bundle.
 */
export async function consoleImportGraph(routes: readonly string[]): Promise<ImportGraph> {
  const { metafile } = await build({
    absWorkingDir: WEB_ROOT,
    entryPoints: [CONSOLE_ENTRY, ...routes],
    bundle: true,
    write: false,
    outdir: join(WEB_ROOT, '.first-route'),
    format: 'esm',
    splitting: true,
    metafile: true,
    logLevel: 'silent',
    jsx: 'automatic',
    loader: { '.svg': 'file', '.png': 'file', '.woff2': 'file' },
    // Vite's virtual modules (the service worker's registration) are no module of the console's own.
    external: ['virtual:*'],
  });
  return Object.fromEntries(
    Object.entries(metafile.inputs).map(([path, input]) => [
      path,
      input.imports.filter((i) => i.kind === 'import-statement' && !i.external).map((i) => i.path),
    ]),
  );
}

/**
 * The modules that loading `route` fetches before it renders: the entry and the route's module
 * with their static imports, transitively (dynamic imports load on demand).
 */
export function firstRouteModules(graph: ImportGraph, route: string): string[] {
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const imported of graph[path] ?? []) visit(imported);
  };
  visit(CONSOLE_ENTRY);
  visit(route);
  return [...seen];
}

/** Each module of `modules` that `route` must not load before it renders, with what it is. */
export function firstRouteViolations(route: string, modules: readonly string[]): string[] {
  return modules.flatMap((path) => {
    const otherPage = /src\/app\/routes\/[^/]+\.tsx$/.test(path) && path !== route;
    return [
      ...NOT_IN_A_FIRST_ROUTE.filter(({ pattern }) => pattern.test(path)).map(
        ({ what }) => `${path}: ${what}`,
      ),
      ...(otherPage ? [`${path}: another page’s code`] : []),
    ];
  });
}
