import { useQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useCallback, useMemo } from 'react';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { PageHeader } from '../../components/ui/page-header.tsx';
import { formatCompared, parseCompared, toggleCompared } from '../../features/policy/compare-search.ts';
import { DriftTable } from '../../features/policy/drift-table.tsx';
import { PolicyDraftPanel } from '../../features/policy/policy-draft-panel.tsx';
import {
  policyStatusQueryOptions,
  policyVersionsQueryOptions,
} from '../../features/policy/policy-queries.ts';
import { RolloutBanner } from '../../features/policy/rollout-banner.tsx';
import { VersionDiff } from '../../features/policy/version-diff.tsx';
import { VersionHistory } from '../../features/policy/version-history.tsx';
import { useNodeTree } from '../../lib/node-watch.tsx';
import { useRefetchInterval } from '../../lib/refresh-interval.tsx';
import { useRoleAllows } from '../../lib/session.ts';

const route = getRouteApi('/policy');

/** Drift follows a rollout closely, whatever the console's refresh interval (unless paused). */
const DRIFT_REFRESH_MS = 2_000;

/**
 * The fleet's policy: where the current version's rollout stands on every node, every version with
 * a diff between any two, and for admins a draft to publish and a rollback per version.
 */
export function PolicyRoute() {
  const admin = useRoleAllows('admin');
  const paused = useRefetchInterval() === false;
  const status = useQuery({
    ...policyStatusQueryOptions(),
    refetchInterval: paused ? false : DRIFT_REFRESH_MS,
  });
  const versions = useQuery({
    ...policyVersionsQueryOptions(),
    refetchInterval: paused ? false : DRIFT_REFRESH_MS,
  });
  const tree = useNodeTree();
  const nodePaths = useMemo(
    () => tree.rows.map((row) => row.path).filter((path) => path !== ''),
    [tree.rows],
  );
  const { compare } = route.useSearch();
  const compared = useMemo(() => parseCompared(compare), [compare]);
  const navigate = route.useNavigate();
  const setCompared = useCallback(
    (version: number) =>
      void navigate({
        search: (prev) => ({ ...prev, compare: formatCompared(toggleCompared(compared, version)) }),
        replace: true,
      }),
    [navigate, compared],
  );
  const nodes = status.data?.nodes ?? [];
  const current = status.data?.current ?? null;
  const applied = nodes.filter((n) => n.state === 'applied').length;
  const [older, newer] = [...compared].sort((a, b) => a - b);

  return (
    <>
      <PageHeader
        title="Policy"
        subtitle={
          admin
            ? 'Rules and settings for the whole fleet: versioned, rolled out canaries first, rolled back in one step.'
            : 'Rules and settings for the whole fleet, and where each node stands. Only admins change them.'
        }
      />
      {status.data && <RolloutBanner current={current} nodes={nodes} />}
      <FanOutPanel
        title="Drift"
        query={status}
        summary={status.data && `${applied} of ${nodes.length} applied`}
        isEmpty={nodes.length === 0}
        emptyTitle="No nodes below"
        emptyText="This console federates no other nodes."
        flush
        testId="policy-drift"
      >
        <DriftTable nodes={nodes} />
      </FanOutPanel>
      <FanOutPanel
        title="Versions"
        query={versions}
        summary={versions.data && `${versions.data.versions.length} · tick two to compare`}
        isEmpty={versions.data?.versions.length === 0}
        emptyTitle="No versions yet"
        emptyText={admin ? 'Publish a draft below to make the first.' : 'An admin publishes the first.'}
        flush
        testId="policy-versions"
      >
        <VersionHistory
          versions={versions.data?.versions ?? []}
          currentVersion={current?.version ?? null}
          canRollBack={admin}
          compared={compared}
          onToggleCompare={setCompared}
        />
      </FanOutPanel>
      {older !== undefined && newer !== undefined && <VersionDiff older={older} newer={newer} />}
      {admin && <PolicyDraftPanel currentVersion={current?.version ?? null} nodePaths={nodePaths} />}
    </>
  );
}
