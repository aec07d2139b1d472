import { useMemo } from 'react';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { FiringAlertsPanel } from '../../features/alerts/alert-summary.tsx';
import { PageHeader } from '../../components/ui/page-header.tsx';
import { DeviceCountsKpi } from '../../features/devices/device-counts.tsx';
import { FleetKpis } from '../../features/overview/fleet-kpis.tsx';
import { OverviewLayout } from '../../features/overview/overview-layout.tsx';
import { HistoryChartPanel } from '../../features/nodes/history-chart-panel.tsx';
import { NodeTreeView } from '../../features/nodes/node-tree-view.tsx';
import { nodeName } from '../../lib/format.ts';
import { coverageOfTree, leavesOf } from '../../lib/node-tree.ts';
import { useNodeTree } from '../../lib/node-watch.tsx';

/** The fleet at a glance: every node's health, devices and ingest, and how they moved over the last hour. */
export function OverviewRoute() {
  const tree = useNodeTree();
  const { rows } = tree;
  const coverage = useMemo(() => (rows.length > 0 ? coverageOfTree(rows) : undefined), [rows]);
  const leafLines = useMemo(
    () => leavesOf(rows).map((leaf) => ({ path: leaf.path, name: nodeName(leaf.path) })),
    [rows],
  );

  return (
    <>
      <PageHeader
        title="Overview"
        subtitle={
          rows[0] ? `${rows[0].name}: ${rows.length - 1} nodes in ${maxDepth(rows)} tiers` : undefined
        }
      />
      <FleetKpis rows={rows} devices={<DeviceCountsKpi />} />
      <OverviewLayout
        tree={
          <FanOutPanel
            title="Node tree"
            query={tree}
            coverage={coverage}
            showLatency={false}
            flush
            testId="node-tree-panel"
          >
            <NodeTreeView rows={rows} />
          </FanOutPanel>
        }
        alerts={<FiringAlertsPanel />}
        charts={
          <>
            <HistoryChartPanel
              title="Ingest rate by node"
              query={tree}
              metric="ingest.samplesPerSec"
              nodePath=""
              lines={leafLines}
              unit="samples/s"
              stacked
              testId="ingest-chart-panel"
            />
            <HistoryChartPanel
              title="Devices online by node"
              query={tree}
              metric="devices.online"
              nodePath=""
              lines={leafLines}
              unit="devices"
              stacked
            />
          </>
        }
      />
    </>
  );
}

function maxDepth(rows: readonly { depth: number }[]): number {
  return rows.reduce((max, row) => Math.max(max, row.depth), 0);
}
