import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { WebhookAllowlistText } from '@tierscope/notify';
import { PolicyBundle, Webhook, type PolicyDocument } from '@tierscope/shared';
import { bffRoutes } from './bff-routes.ts';

const hook = (id: string, url = `https://hooks.example.com/${id}`) => Webhook.parse({ id, url });
const HASH = `sha256:${'a'.repeat(64)}`;

/** A version whose bundles each give one route to the target. */
function version(number: number, routes: Array<[target: string, route: Webhook]>) {
  const bundles = routes.map(([target, route], index) =>
    PolicyBundle.parse({ name: `b${index}`, target, routes: [route] }),
  );
  return { version: number, hash: HASH, content: { bundles } };
}

function document(overrides: Partial<PolicyDocument>): PolicyDocument {
  return {
    author: 'bff',
    selfPath: '',
    current: version(1, []),
    previous: null,
    canaries: [],
    phase: 'released',
    ...overrides,
  };
}

function routesWith(policy: PolicyDocument | null, env: Webhook[] = [], allowlist = 'hooks.example.com') {
  const warnings: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
  const routes = bffRoutes({
    webhooks: env,
    allowlist: WebhookAllowlistText.parse(allowlist),
    policy: () => policy,
    logger,
  });
  return { ids: () => routes().map(({ id }) => id), warnings };
}

describe('the BFF routes', () => {
  it('are its env webhooks before any policy is published', () => {
    expect(routesWith(null, [hook('ops')]).ids()).toEqual(['ops']);
  });

  it("add the routes of the bundles that target ** (not a subtree's), the env webhook winning its id", () => {
    const policy = document({
      current: version(1, [
        ['**', hook('fleet')],
        ['district-1/**', hook('district')],
        ['**', hook('ops', 'https://hooks.example.com/pushed-ops')],
      ]),
    });
    const { ids } = routesWith(policy, [hook('ops')]);
    expect(ids()).toEqual(['ops', 'fleet']);
  });

  it('take the previous version while the current one is with its canaries or halted', () => {
    const previous = version(1, [['**', hook('old')]]);
    const current = version(2, [['**', hook('new')]]);
    expect(routesWith(document({ current, previous, phase: 'canary', canaries: ['p'] })).ids()).toEqual([
      'old',
    ]);
    expect(routesWith(document({ current, previous, phase: 'halted' })).ids()).toEqual(['old']);
    expect(routesWith(document({ current, previous, phase: 'released' })).ids()).toEqual(['new']);
  });

  it('skip, with one warning, a pushed route the allowlist refuses', () => {
    const policy = document({ current: version(1, [['**', hook('internal', 'http://10.0.0.5/hook')]]) });
    const { ids, warnings } = routesWith(policy);
    expect(ids()).toEqual([]);
    expect(ids()).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('internal');
  });
});
