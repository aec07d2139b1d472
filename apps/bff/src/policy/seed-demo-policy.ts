import type {
  Actor,
  AuditedChange,
  PolicyContent,
  PolicyService,
  PolicyVersionSummary,
  PublishPolicyInput,
} from '@tierscope/shared';

export const DEMO_POLICY_COMMENT = 'demo policy';

/**
 * Publishes `content` as the BFF's first policy version, as `actor` would at the console and
 * audited the same way, unless the BFF has a version already: a restart, or an admin who has
 * published their own since, keeps what is there. Returns the version it published, if any.
 */
export async function seedDemoPolicy(
  policy: Pick<PolicyService, 'versions' | 'publish'>,
  content: PolicyContent,
  actor: Actor,
  audit: (change: AuditedChange) => Promise<void>,
): Promise<PolicyVersionSummary | undefined> {
  const { versions } = await policy.versions({});
  if (versions.length > 0) return undefined;
  const input: PublishPolicyInput = { content, comment: DEMO_POLICY_COMMENT, canaries: [], canaryHoldMs: 0 };
  const published = await policy.publish(input, actor);
  await audit({ action: 'policy.publish', input, output: published });
  return published;
}
