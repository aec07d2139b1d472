import { describe, expect, it } from 'vitest';
import { policyHash } from '@tierscope/federation';
import { PolicyContent, resolvePolicy, type PolicyDocument } from '@tierscope/shared';
import { WebhookAllowlistText } from '@tierscope/notify';
import { policyProblems, type PolicyCheckContext } from './policy-validation.ts';

const context: PolicyCheckContext = {
  nodeId: 'probe-a',
  storedMetrics: new Set(['temp']),
  allowlist: WebhookAllowlistText.parse('hooks.example.com'),
  envWebhookIds: new Set(['ops']),
};

function documentOf(author: string, version: number, bundles: unknown[]): PolicyDocument {
  const content = PolicyContent.parse({ bundles });
  return {
    author,
    selfPath: 'probe-a',
    current: { version, hash: policyHash(content), content },
    previous: null,
    canaries: [],
    phase: 'released',
  };
}

const problemsOf = (...documents: PolicyDocument[]) =>
  policyProblems(documents, resolvePolicy(documents), context);

const noData = (id: string, metric?: string) => ({
  id,
  name: id,
  severity: 'warning',
  scope: { devicePattern: '*' },
  condition: { kind: 'no-data', forMs: 60_000, ...(metric !== undefined && { metric }) },
});

describe('policyProblems', () => {
  it('finds nothing in a policy whose metrics are stored, patterns compile and routes are allowed', () => {
    const document = documentOf('bff', 1, [
      {
        name: 'core',
        target: '**',
        rules: [noData('quiet'), noData('temp-quiet', 'temp')],
        routes: [{ id: 'pager', url: 'https://hooks.example.com/p', matchers: { devicePattern: 'pump-?' } }],
      },
    ]);
    expect(problemsOf(document)).toEqual([]);
  });

  it('names the bundle and author version that set an item, the nearest when several do', () => {
    const fleet = documentOf('bff', 4, [{ name: 'fleet', target: '**', rules: [noData('quiet', 'flow')] }]);
    const district = documentOf('district-1', 2, [
      { name: 'district', target: '**', rules: [noData('quiet', 'pressure')] },
    ]);
    expect(problemsOf(fleet, district)).toEqual([
      'bundle "district" (district-1 v2), rule "quiet": metric "pressure" is neither stored on probe-a nor declared by the policy',
    ]);
  });

  it('refuses silence and route patterns that do not compile', () => {
    const document = documentOf('bff', 1, [
      {
        name: 'windows',
        target: 'probe-a',
        silences: [
          {
            id: 'service',
            matchers: { devicePattern: 'pump-(' },
            startsAt: 0,
            endsAt: 1,
          },
        ],
        routes: [{ id: 'pager', url: 'https://hooks.example.com/p', matchers: { devicePattern: 'a]' } }],
      },
    ]);
    expect(problemsOf(document)).toEqual([
      expect.stringMatching(
        /^bundle "windows" \(bff v1\), silence "service": device pattern "pump-\(" does not compile/,
      ),
      expect.stringMatching(
        /^bundle "windows" \(bff v1\), route "pager": device pattern "a]" does not compile/,
      ),
    ]);
  });

  it('leaves a route alone whose id the node’s own WEBHOOKS has: that one wins and this one never runs', () => {
    const document = documentOf('bff', 1, [
      { name: 'core', target: '**', routes: [{ id: 'ops', url: 'https://elsewhere.example.org/' }] },
    ]);
    expect(problemsOf(document)).toEqual([]);
  });
});
