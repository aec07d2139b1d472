import { describe, expect, it } from 'vitest';
import type { Actor, PolicyVersion } from '@tierscope/shared';
import type { Federation } from '../query/federated-node-service.ts';
import { createFederatedPolicy } from './federated-policy.ts';
import type { TierPolicy } from './tier-policy.ts';

const admin = (scope?: string[]): Actor => ({
  kind: 'user',
  name: 'ada',
  role: 'admin',
  ...(scope && { scope }),
});
const published: string[] = [];
// Only what a publish or rollback at the tier's own book touches.
const tier = {
  publish: async () => (published.push('publish'), {} as PolicyVersion),
  rollback: async () => (published.push('rollback'), {} as PolicyVersion),
} as unknown as TierPolicy;
const federation = { id: 'bff', forwarded: { policy: {} } } as unknown as Federation;
const request = { content: { bundles: [] }, comment: '', canaries: [], canaryHoldMs: 0 };

describe("a tier's own policy book", () => {
  it('refuses a publish or rollback from a user scoped to part of its subtree', async () => {
    const scope = ['district-1'];
    const policy = createFederatedPolicy(federation, { tier, self: undefined, ownPath: undefined, scope });
    await expect(async () => policy.publish(request, admin(scope))).rejects.toThrow('beyond your scope');
    await expect(async () => policy.rollback({ version: 1, comment: '' }, admin(scope))).rejects.toThrow(
      'beyond your scope',
    );
    expect(published).toEqual([]);
  });

  it('takes them from an unscoped admin', async () => {
    const policy = createFederatedPolicy(federation, {
      tier,
      self: undefined,
      ownPath: undefined,
      scope: undefined,
    });
    await policy.publish(request, admin());
    await policy.rollback({ version: 1, comment: '' }, admin());
    expect(published).toEqual(['publish', 'rollback']);
  });
});
