import { useInfiniteQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useMemo } from 'react';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { NodeAlertsPanel } from '../../features/alerts/node-alerts-panel.tsx';
import { EmptyState } from '../../components/ui/notices.tsx';
import { nodePathCrumbs, PageHeader } from '../../components/ui/page-header.tsx';
import { NodeStatusPill } from '../../components/ui/status-pill.tsx';
import { DeviceTable } from '../../features/devices/device-table.tsx';
import { deviceListQueryOptions } from '../../features/devices/device-queries.ts';
import { DeadLetterList } from '../../features/nodes/dead-letter-list.tsx';
import { deadLetterListQueryOptions } from '../../features/nodes/dead-letter-queries.ts';
import { HistoryChartPanel } from '../../features/nodes/history-chart-panel.tsx';
import { NodeBacklogs } from '../../features/nodes/node-backlogs.tsx';
import { NodeHealth } from '../../features/nodes/node-health.tsx';
import { NodeTreeView } from '../../features/nodes/node-tree-view.tsx';
import { formatCount, nodeName } from '../../lib/format.ts';
import { coverageOfTree, findNode, leavesOf, subtreeOf, type TreeNode } from '../../lib/node-tree.ts';
import { useNodeTree } from '../../lib/node-watch.tsx';
import { usePagedList } from '../../lib/paged-list.ts';
import { useRefetchInterval } from '../../lib/refresh-interval.tsx';

const route = getRouteApi('/nodes/$');

/**
 * Any node by its path: health, open alerts, ingest and queue over time, children, devices and dead
 * letters.
 */
export function NodeRoute() {
  const { _splat } = route.useParams();
  const path = (_splat ?? '').replace(/\/+$/, '');
  const tree = useNodeTree();
  const node = findNode(tree.rows, path);
  const fleetName = tree.rows[0]?.name ?? 'Tierscope';

  if (tree.isSuccess && !node)
    return (
      <>
        <PageHeader crumbs={nodePathCrumbs('')} title={path} />
        <EmptyState title={`No node ${path} in the tree`}>
          <Link to="/nodes/$" params={{ _splat: '' }}>
            See every node
          </Link>
        </EmptyState>
      </>
    );
  return <NodePage path={path} node={node} tree={tree} fleetName={fleetName} />;
}

function NodePage({
  path,
  node,
  tree,
  fleetName,
}: {
  path: string;
  node: TreeNode | undefined;
  tree: ReturnType<typeof useNodeTree>;
  fleetName: string;
}) {
  const subtree = useMemo(() => subtreeOf(tree.rows, path), [tree.rows, path]);
  const coverage = useMemo(
    () => (subtree.length > 0 ? coverageOfTree(tree.rows, path) : undefined),
    [tree.rows, path, subtree],
  );
  const lines = useMemo(() => {
    const leaves = node && node.childPaths.length > 0 ? leavesOf(subtree) : subtree.slice(0, 1);
    return leaves.map((leaf) => ({ path: leaf.path, name: leaf.path ? nodeName(leaf.path) : leaf.name }));
  }, [node, subtree]);
  const refetchInterval = useRefetchInterval();
  // The root ('') is the whole fleet: no node filter.
  const nodePath = path || undefined;
  const deviceQuery = useInfiniteQuery(deviceListQueryOptions({ nodePath }, refetchInterval));
  const devices = { query: deviceQuery, ...usePagedList(deviceQuery) };
  const deadLetterQuery = useInfiniteQuery(deadLetterListQueryOptions(nodePath, refetchInterval));
  const deadLetters = { query: deadLetterQuery, ...usePagedList(deadLetterQuery) };
  const title = path === '' ? fleetName : path.slice(path.lastIndexOf('/') + 1);

  return (
    <>
      <PageHeader
        crumbs={path === '' ? undefined : nodePathCrumbs(path).slice(0, -1)}
        documentTitle={path || title}
        title={
          <span className="row-gap">
            {title}
            {node && <NodeStatusPill status={node.status} />}
          </span>
        }
        subtitle={
          path === '' ? (
            'Every node, as the console sees it'
          ) : (
            <>
              {node?.info && node.info.name !== title && `${node.info.name} · `}
              <span className="mono">{path}</span>
            </>
          )
        }
      />
      <FanOutPanel
        title="Health"
        query={tree}
        coverage={coverage}
        showLatency={false}
        testId="node-health-panel"
      >
        {node && <NodeHealth node={node} rows={tree.rows} />}
      </FanOutPanel>
      {node && path !== '' && (
        <FanOutPanel title="Backlogs" query={tree} showLatency={false} testId="node-backlogs-panel">
          <NodeBacklogs node={node} name={title} />
        </FanOutPanel>
      )}
      <NodeAlertsPanel path={path} />
      {node && node.childPaths.length > 0 && (
        <FanOutPanel
          title="Children"
          query={tree}
          coverage={coverage}
          showLatency={false}
          summary={`${formatCount(subtree.length - 1)} nodes below`}
          flush
          testId="children-panel"
        >
          <NodeTreeView rows={subtree} label={`Nodes under ${title}`} />
        </FanOutPanel>
      )}
      <div className="two-col">
        <HistoryChartPanel
          title="Ingest rate"
          query={tree}
          metric="ingest.samplesPerSec"
          nodePath={path}
          lines={lines}
          unit="samples/s"
          stacked
        />
        <HistoryChartPanel
          title="Queue depth"
          query={tree}
          metric="ingest.queueDepth"
          nodePath={path}
          lines={lines}
          unit="messages"
        />
      </div>
      <FanOutPanel
        title="Devices"
        query={devices.query}
        coverage={devices.coverage}
        summary={`${formatCount(devices.rows.length)}${devices.query.hasNextPage ? '+' : ''} loaded`}
        isEmpty={devices.rows.length === 0 && !devices.query.hasNextPage}
        emptyTitle="No devices on this node"
        emptyText={node && node.childPaths.length > 0 ? 'Its children hold none either.' : undefined}
        actions={
          <Link to="/devices" search={path ? { node: path } : {}} className="button">
            Open in devices
          </Link>
        }
        flush
        testId="node-devices-panel"
      >
        <DeviceTable
          label={`Devices of ${title}`}
          devices={devices.rows}
          hasMore={devices.query.hasNextPage}
          loadingMore={devices.query.isFetchingNextPage}
          onLoadMore={devices.loadMore}
          footer={`${formatCount(devices.rows.length)} loaded`}
          height="min(420px, 60dvh)"
        />
      </FanOutPanel>
      <FanOutPanel
        title="Dead letters"
        query={deadLetters.query}
        coverage={deadLetters.coverage}
        summary={`${formatCount(deadLetters.rows.length)}${deadLetters.query.hasNextPage ? '+' : ''} newest`}
        isEmpty={deadLetters.rows.length === 0 && !deadLetters.query.hasNextPage}
        emptyTitle="No dead letters"
        emptyText="Every payload this node received was valid."
        flush
        testId="dead-letters-panel"
      >
        <DeadLetterList items={deadLetters.rows} />
        {deadLetters.query.hasNextPage && (
          <div className="panel-foot">
            <button
              type="button"
              className="button"
              onClick={deadLetters.loadMore}
              disabled={deadLetters.query.isFetchingNextPage}
            >
              {deadLetters.query.isFetchingNextPage ? 'Loading…' : 'Load older'}
            </button>
          </div>
        )}
      </FanOutPanel>
    </>
  );
}
