import type { CSSProperties } from 'react';
import { Count } from '../../components/ui/count.tsx';
import { NodeStatusPill } from '../../components/ui/status-pill.tsx';
import { formatAge, formatCount, formatRate } from '../../lib/format.ts';
import { subtreeHasDown, subtreeIngestRate, subtreeSum, type TreeNode } from '../../lib/node-tree.ts';
import { NodeLink } from '../../components/ui/node-link.tsx';

/**
 * The tier tree as an indented list: each node's status with the age of its data, its devices
 * online, and the ingest rate of its subtree. Every name links to the node's page.
 */
export function NodeTreeView({ rows, label = 'Node tree' }: { rows: readonly TreeNode[]; label?: string }) {
  const baseDepth = rows[0]?.depth ?? 0;
  return (
    <ul className="tree" aria-label={label}>
      <li className="tree-row tree-head" aria-hidden="true">
        <span>Node</span>
        <span>Status</span>
        <span className="tree-metric">Devices</span>
        <span className="tree-metric">Samples in</span>
      </li>
      {rows.map((row) => (
        <li
          key={row.path}
          className="tree-row"
          style={{ '--depth': row.depth - baseDepth } as CSSProperties}
          data-testid="node-row"
          data-path={row.path}
          data-status={row.status}
        >
          <div className="tree-name">
            {row.depth > baseDepth && <span className="tree-branch" aria-hidden="true" />}
            <div style={{ minWidth: 0 }}>
              <NodeLink path={row.path}>
                {row.path === '' ? row.name : row.path.slice(row.path.lastIndexOf('/') + 1)}
              </NodeLink>
              {row.path !== '' && row.name !== row.path.slice(row.path.lastIndexOf('/') + 1) && (
                <div className="path">{row.name}</div>
              )}
            </div>
          </div>
          <div className="tree-status">
            <NodeStatusPill status={row.status} />
            <span className="age" data-stale={row.status !== 'live'} title={row.reason ?? undefined}>
              {row.path === ''
                ? 'answering now'
                : row.ageMs === null
                  ? 'never answered'
                  : `data ${formatAge(row.ageMs)} old`}
              {row.reason && <span className="visually-hidden">: {row.reason}</span>}
            </span>
          </div>
          <div className="tree-metric">
            {row.info ? (
              <>
                <Count value={row.info.devices.online} lowerBound={row.info.devices.lowerBound} />
                <small>of {row.info.devices.total.toLocaleString('en-US')} online</small>
              </>
            ) : (
              '—'
            )}
          </div>
          <div className="tree-metric">
            {row.status === 'down' ? (
              <>
                —<small>{row.info ? `was ${formatRate(row.info.ingest.samplesPerSec)}` : 'no data'}</small>
              </>
            ) : (
              <>
                {formatRate(subtreeIngestRate(rows, row.path), subtreeHasDown(rows, row.path))}
                <small>
                  queue {formatCount(subtreeSum(rows, row.path, (info) => info.ingest.queueDepth))}
                </small>
              </>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
