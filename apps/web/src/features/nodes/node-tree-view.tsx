import type { CSSProperties } from 'react';
import { Count } from '../../components/ui/count.tsx';
import { NodeStatusPill } from '../../components/ui/status-pill.tsx';
import { formatAge, formatCount, formatRate } from '../../lib/format.ts';
import { subtreeHasDown, subtreeIngestRate, subtreeSum, type TreeNode } from '../../lib/node-tree.ts';
import { NodeLink } from '../../components/ui/node-link.tsx';
import { backlogTotal, trendTone } from './backlog-summary.ts';
import { PolicyBadge } from './policy-badge.tsx';

/**
 * The tier tree as an indented list: each node's status with the age of its data, its devices
 * online, the ingest rate of its subtree and its own backlogs (a growing or stalled one is flagged
 * in the status too, which phones still show). Every name links to the node's page.
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
        <span className="tree-metric">Backlog</span>
      </li>
      {rows.map((row) => {
        const backlog = row.info?.backlogs ? backlogTotal(row.info.backlogs) : undefined;
        const flagged = backlog?.trend === 'growing' || backlog?.trend === 'stalled';
        return (
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
              {flagged && (
                <span className="pill" data-tone={trendTone(backlog.trend)} data-testid="backlog-flag">
                  backlog {backlog.trend}
                </span>
              )}
              <PolicyBadge info={row.info} />
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
            <div className="tree-metric" data-testid="tree-backlog">
              {backlog ? (
                <>
                  {formatCount(backlog.depth)}
                  <small>{backlog.trend === 'empty' ? 'nothing waiting' : backlog.trend}</small>
                </>
              ) : (
                '—'
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
