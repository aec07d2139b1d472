import type { Rule } from '@tierscope/shared';

/** Where a rule the node runs comes from: its own `rules` table, or the fleet policy in force. */
export type RuleOrigin = 'local' | 'policy';
export type RuleWithOrigin = Rule & { origin: RuleOrigin };

/**
 * The rules the node runs: the policy's, overridden by the node's own rule of the same id (the
 * nearest setting wins, decision 21), by id in code-unit order like the store lists them.
 */
export function ruleSet(policyRules: readonly Rule[], localRules: readonly Rule[]): RuleWithOrigin[] {
  const byId = new Map<string, RuleWithOrigin>();
  for (const rule of policyRules) byId.set(rule.id, { ...rule, origin: 'policy' });
  for (const rule of localRules) byId.set(rule.id, { ...rule, origin: 'local' });
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
