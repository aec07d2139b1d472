import type {
  AuditedChange,
  PolicyContent,
  PolicyVersionSummary,
  PublishPolicyInput,
} from '@tierscope/shared';
import { describe, expect, it } from 'vitest';
import { DEMO_POLICY_COMMENT, seedDemoPolicy } from './seed-demo-policy.ts';

const CONTENT: PolicyContent = {
  bundles: [
    {
      name: 'demo',
      target: '**',
      rules: [],
      silences: [],
      routes: [],
      retention: {},
      declaredMetrics: [],
    },
  ],
};
const ADMIN = { kind: 'user' as const, name: 'admin', role: 'admin' as const };

function summary(version: number): PolicyVersionSummary {
  return {
    author: 'bff',
    version,
    hash: `sha256:${'0'.repeat(64)}`,
    comment: '',
    publishedBy: 'admin',
    publishedAt: 0,
    canaries: [],
    canaryHoldMs: 0,
    phase: 'released',
    haltReason: null,
    rollbackOf: null,
    previousVersion: null,
  };
}

/** A policy service holding `versions`, recording what is published. */
function policyWith(versions: PolicyVersionSummary[]) {
  const published: PublishPolicyInput[] = [];
  return {
    published,
    service: {
      hasVersion: async () => versions.length > 0,
      publish: async (input: PublishPolicyInput) => {
        published.push(input);
        return summary(versions.length + 1);
      },
    },
  };
}

describe('seedDemoPolicy', () => {
  it('publishes the demo policy, released at once and audited, when the BFF has no version', async () => {
    const { service, published } = policyWith([]);
    const audited: AuditedChange[] = [];
    const version = await seedDemoPolicy(service, CONTENT, ADMIN, async (change) => {
      audited.push(change);
    });
    expect(version?.version).toBe(1);
    expect(published).toEqual([
      { content: CONTENT, comment: DEMO_POLICY_COMMENT, canaries: [], canaryHoldMs: 0 },
    ]);
    expect(audited).toEqual([{ action: 'policy.publish', input: published[0], output: version }]);
  });

  it('keeps the versions there are, the demo one or an admin’s own', async () => {
    const { service, published } = policyWith([summary(1)]);
    const audited: AuditedChange[] = [];
    const version = await seedDemoPolicy(service, CONTENT, ADMIN, async (change) => {
      audited.push(change);
    });
    expect(version).toBeUndefined();
    expect(published).toEqual([]);
    expect(audited).toEqual([]);
  });
});
