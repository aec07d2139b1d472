import type { NodeInfo } from '@tierscope/shared/schemas';
import { Count } from '../../components/ui/count.tsx';
import { NodeStatusPill } from '../../components/ui/status-pill.tsx';
import { formatAge, formatAgo, formatCount, formatRate } from '../../lib/format.ts';
import {
  policyBadgeOf,
  subtreeHasDown,
  subtreeIngestRate,
  subtreeSum,
  type TreeNode,
} from '../../lib/node-tree.ts';
import { useNow } from '../../lib/use-now.ts';

/** One node's health at a glance: liveness, devices, ingest, queue, broker and database. */
export function NodeHealth({ node, rows }: { node: TreeNode; rows: readonly TreeNode[] }) {
  const now = useNow(5000);
  const info = node.info;
  const federating = node.childPaths.length > 0;
  // A federating node ingests little itself: its subtree's totals are what an operator asks about.
  // A down node's own figures are its last-known ones; under a federating node, down children are left out.
  const down = node.status === 'down';
  const partial = federating && subtreeHasDown(rows, node.path);
  const sum = (pick: Parameters<typeof subtreeSum>[2]) =>
    down && info ? pick(info) : subtreeSum(rows, node.path, pick);
  const count = (pick: Parameters<typeof subtreeSum>[2]) => formatCount(sum(pick), partial);
  const scopeNote = `${federating ? ', whole subtree' : ''}${down ? ', last known' : ''}`;
  return (
    <dl className="facts" data-testid="node-health">
      <div>
        <dt>Status</dt>
        <dd>
          <NodeStatusPill status={node.status} />
          <small>
            {node.ageMs === null ? 'never answered' : `data ${formatAge(node.ageMs)} old`}
            {node.reason && ` · ${node.reason}`}
          </small>
        </dd>
      </div>
      {info && (
        <>
          <div>
            <dt>Devices online</dt>
            <dd>
              <Count value={info.devices.online} lowerBound={info.devices.lowerBound} />
              <small>of {formatCount(info.devices.total, info.devices.lowerBound)}</small>
            </dd>
          </div>
          <div>
            <dt>Ingest rate</dt>
            <dd>
              {down ? '—' : formatRate(subtreeIngestRate(rows, node.path), partial)}
              <small>samples committed{scopeNote}</small>
            </dd>
          </div>
          <div>
            <dt>Queue depth</dt>
            <dd>
              {count((i) => i.ingest.queueDepth)}
              <small>accepted, not yet committed{scopeNote}</small>
            </dd>
          </div>
          <div>
            <dt>Messages</dt>
            <dd>
              {count((i) => i.ingest.messagesTotal)}
              <small>
                {count((i) => i.ingest.samplesTotal)} samples since start{scopeNote}
              </small>
            </dd>
          </div>
          <div>
            <dt>Dead letters</dt>
            <dd>
              {count((i) => i.ingest.deadLettersTotal)}
              <small>payloads refused since start{scopeNote}</small>
            </dd>
          </div>
          {(!federating || info.broker.url) && (
            <div>
              <dt>Broker</dt>
              <dd>
                <span className="pill" data-tone={info.broker.connected ? 'ok' : 'bad'}>
                  {info.broker.connected ? 'connected' : 'disconnected'}
                </span>
                <small className="mono">
                  {info.broker.embedded ? 'embedded · ' : ''}
                  {info.broker.url || 'none'}
                </small>
              </dd>
            </div>
          )}
          {(!federating || info.database.reachable) && (
            <div>
              <dt>Database</dt>
              <dd>
                <span className="pill" data-tone={info.database.reachable ? 'ok' : 'bad'}>
                  {info.database.reachable ? 'reachable' : 'unreachable'}
                </span>
                <small>{info.database.driver === 'pglite' ? 'PGlite (embedded)' : 'PostgreSQL'}</small>
              </dd>
            </div>
          )}
          {info.policy && (
            <div data-testid="node-policy">
              <dt>Policy</dt>
              <dd>
                <PolicyFact info={info} now={now} />
              </dd>
            </div>
          )}
          <div>
            <dt>Version</dt>
            <dd>
              {info.version}
              <small>started {formatAgo(info.startedAt, now)}</small>
            </dd>
          </div>
        </>
      )}
    </dl>
  );
}

/** The node's policy in full: a refusal with its reason, or the versions it runs and since when. */
function PolicyFact({ info, now }: { info: NodeInfo; now: number }) {
  const badge = policyBadgeOf(info);
  if (badge?.kind === 'rejected')
    return (
      <>
        <span className="pill" data-tone="bad">
          rejected
        </span>
        <small>{badge.reason}</small>
      </>
    );
  return (
    <>
      {badge ? badge.text : 'none'}
      <small>
        {info.policy?.appliedAt
          ? `applied ${formatAgo(info.policy.appliedAt, now)}`
          : 'no fleet policy applied'}
      </small>
    </>
  );
}
