import type { ReactNode } from 'react';
import { Count } from '../../components/ui/count.tsx';
import { formatCount, formatRate } from '../../lib/format.ts';
import { subtreeIngestRate, subtreeSum, type TreeNode } from '../../lib/node-tree.ts';

/**
 * The fleet in four numbers; counts summed over partial answers read as lower bounds. The devices
 * tile is the page's to give (it asks its own query).
 */
export function FleetKpis({ rows, devices }: { rows: readonly TreeNode[]; devices: ReactNode }) {
  const root = rows[0];
  if (!root?.info) return null;
  const nodes = rows.filter((row) => row.path !== '');
  const down = nodes.filter((row) => row.status === 'down');
  const stale = nodes.filter((row) => row.status === 'stale');
  const deadLetters = subtreeSum(rows, '', (info) => info.ingest.deadLettersTotal);
  const partial = down.length > 0;

  return (
    <section className="kpis" aria-label="Fleet summary">
      <div className="kpi" data-testid="kpi-nodes">
        <span className="kpi-label">Nodes live</span>
        <span className="kpi-value">
          {formatCount(nodes.length - down.length - stale.length)}
          <span className="muted"> / {formatCount(nodes.length)}</span>
        </span>
        <span className="kpi-note">
          {down.length === 0 && stale.length === 0
            ? 'every node heard from'
            : [
                down.length > 0 && `${down.map((n) => n.path).join(', ')} down`,
                stale.length > 0 && `${stale.length} stale`,
              ]
                .filter(Boolean)
                .join('; ')}
        </span>
      </div>
      {devices}
      <div className="kpi" data-testid="kpi-ingest">
        <span className="kpi-label">Ingest</span>
        <span className="kpi-value">{formatRate(subtreeIngestRate(rows, ''), partial)}</span>
        <span className="kpi-note">
          samples committed{partial ? ', down nodes not counted' : ', all nodes'}
        </span>
      </div>
      <div className="kpi" data-testid="kpi-dead-letters">
        <span className="kpi-label">Dead letters</span>
        <span className="kpi-value">
          <Count value={deadLetters} lowerBound={partial} />
        </span>
        <span className="kpi-note">payloads refused since each node started</span>
      </div>
    </section>
  );
}
