import type { ReactNode } from 'react';

/**
 * The overview's regions: firing alerts by severity first (the alerts feature's panel, composed in
 * by the route), the node tree under them, and the charts.
 */
export function OverviewLayout({
  tree,
  alerts,
  charts,
}: {
  tree: ReactNode;
  alerts?: ReactNode;
  charts: ReactNode;
}) {
  return (
    <div className="overview-grid">
      {alerts && <div className="area-alerts">{alerts}</div>}
      <div className="area-tree">{tree}</div>
      <div className="area-charts">{charts}</div>
    </div>
  );
}
