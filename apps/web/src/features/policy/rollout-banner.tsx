import type { PolicyNodeStatus, PolicyVersionSummary } from '@tierscope/shared/schemas';
import { describeRollout } from './drift-wording.ts';

/**
 * The current version's rollout in one notice: a halted rollout says why first, a canary phase names
 * the canaries still awaited.
 */
export function RolloutBanner({
  current,
  nodes,
}: {
  current: PolicyVersionSummary | null;
  nodes: readonly PolicyNodeStatus[];
}) {
  const banner = describeRollout(current, nodes);
  return (
    <div
      className="notice rollout-banner"
      data-tone={banner.tone}
      role="status"
      data-testid="rollout-banner"
      data-phase={current?.phase ?? 'none'}
    >
      <div className="notice-body">
        <p className="notice-title">{banner.title}</p>
        <p>{banner.detail}</p>
        {current?.comment && (
          <p className="muted">
            “{current.comment}” — {current.publishedBy}
          </p>
        )}
      </div>
    </div>
  );
}
