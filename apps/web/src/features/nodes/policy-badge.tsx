import { policyBadgeOf } from '../../lib/node-tree.ts';
import type { NodeInfo } from '@tierscope/shared/schemas';

/** A node's policy in the tree: "rejected" with the reason on hover and for screen readers, else its versions. */
export function PolicyBadge({ info }: { info: NodeInfo | null }) {
  const badge = policyBadgeOf(info);
  if (!badge) return null;
  if (badge.kind === 'applied')
    return (
      <span className="policy-badge muted" data-testid="policy-badge" data-state="applied">
        <span className="visually-hidden">Policy </span>
        {badge.text}
      </span>
    );
  return (
    <span
      className="pill"
      data-tone="bad"
      data-testid="policy-badge"
      data-state="rejected"
      title={badge.reason}
    >
      policy {badge.text}
      <span className="visually-hidden">: {badge.reason}</span>
    </span>
  );
}
