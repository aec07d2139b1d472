import { formatAge, formatCount } from '../../lib/format.ts';
import type { TreeNode } from '../../lib/node-tree.ts';
import { backlogRowsOf, formatDrainRate, trendTone } from './backlog-summary.ts';

/**
 * A node's backlogs (decision 18): the ingest journal, each webhook's outbox and what each parent
 * has not taken, each with items waiting, the oldest one's age, the drain rate and the ETA. A
 * growing backlog is marked as a warning, a stalled one as trouble.
 */
export function NodeBacklogs({ node, name }: { node: TreeNode; name: string }) {
  const backlogs = node.info?.backlogs;
  if (!backlogs) return <p className="muted">This node does not report its backlogs.</p>;
  return (
    <>
      {node.status === 'down' && <p className="muted">Last known, from before the node went down.</p>}
      <ul className="backlogs" aria-label={`Backlogs of ${name}`}>
        {backlogRowsOf(backlogs).map(({ key, name: backlogName, detail, backlog }) => (
          <li
            key={key}
            className="backlog"
            data-testid="backlog"
            data-backlog={key}
            data-trend={backlog.trend}
          >
            <div className="backlog-head">
              <strong>{backlogName}</strong>
              <span className="pill" data-tone={trendTone(backlog.trend)}>
                {backlog.trend}
              </span>
              <small>{detail}</small>
            </div>
            <dl className="facts">
              <div>
                <dt>Waiting</dt>
                <dd data-testid="backlog-depth">{formatCount(backlog.depth)}</dd>
              </div>
              <div>
                <dt>Oldest</dt>
                <dd>{backlog.oldestAgeMs === null ? '—' : formatAge(backlog.oldestAgeMs)}</dd>
              </div>
              <div>
                <dt>Drain rate</dt>
                <dd>{formatDrainRate(backlog.drainPerSec)}</dd>
              </div>
              <div>
                <dt>Empty in</dt>
                <dd>
                  {backlog.etaMs !== null
                    ? formatAge(backlog.etaMs)
                    : backlog.depth === 0
                      ? 'empty now'
                      : 'unknown: not draining'}
                </dd>
              </div>
            </dl>
          </li>
        ))}
      </ul>
    </>
  );
}
