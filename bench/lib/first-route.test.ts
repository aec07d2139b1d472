import { beforeAll, describe, expect, it } from 'vitest';
import {
  consoleImportGraph,
  FIRST_ROUTES,
  firstRouteModules,
  firstRouteViolations,
  type ImportGraph,
} from './first-route.ts';

/** A page that loads the policy diff (its own code): the check must see it. */
const POLICY_ROUTE = 'src/app/routes/policy.tsx';

describe("the phone page's budget", () => {
  let graph: ImportGraph;
  // One esbuild pass over the console (a few seconds on a loaded machine).
  beforeAll(async () => {
    graph = await consoleImportGraph([...Object.values(FIRST_ROUTES), POLICY_ROUTE]);
  }, 120_000);

  for (const [path, route] of Object.entries(FIRST_ROUTES))
    it(`${path} loads no chart code, no admin code and no other page's code before it renders`, () => {
      const modules = firstRouteModules(graph, route);
      expect(modules).toContain(route);
      expect(firstRouteViolations(route, modules)).toEqual([]);
    });

  it('sees what a page that loads the policy diff loads (the check can fail)', () => {
    const violations = firstRouteViolations(POLICY_ROUTE, firstRouteModules(graph, POLICY_ROUTE));
    expect(violations.some((line) => line.includes('the policy page’s diff'))).toBe(true);
  });
});
