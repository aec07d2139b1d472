import type {
  Actor,
  AuditedChange,
  PolicyContent,
  PolicyService,
  PolicyVersionSummary,
  PublishPolicyInput,
} from '@tierscope/shared';

export const DEMO_POLICY_COMMENT = 'demo policy';

/** Where the demo policy goes: the BFF's own policy. */
export interface DemoPolicyTarget {
  /**
   * Whether the BFF has published any version. Asked of its database: the service's version list
   * is a cache that the federation fills only after it has started.
   */
  hasVersion(): Promise<boolean>;
  publish: PolicyService['publish'];
}

/**
 * Publishes `content` as the BFF's first policy version, as `actor` would at the console and
 * audited the same way, unless the BFF has a version already: a restart, or an admin who has
 * published their own since, keeps what is there. Returns the version it published, if any.
 */
export async function seedDemoPolicy(
  policy: DemoPolicyTarget,
  content: PolicyContent,
  actor: Actor,
  audit: (change: AuditedChange) => Promise<void>,
): Promise<PolicyVersionSummary | undefined> {
  if (await policy.hasVersion()) return undefined;
  const input: PublishPolicyInput = { content, comment: DEMO_POLICY_COMMENT, canaries: [], canaryHoldMs: 0 };
  const published = await policy.publish(input, actor);
  await audit({ action: 'policy.publish', input, output: published });
  return published;
}
