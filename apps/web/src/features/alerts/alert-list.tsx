import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import type { Alert, AlertState, Silence } from '@tierscope/shared/schemas';
import { useMemo, useState } from 'react';
import { NodeLink } from '../../components/ui/node-link.tsx';
import { SeverityLabel } from '../../components/ui/status-pill.tsx';
import { formatAge, formatAgo, formatTimestamp } from '../../lib/format.ts';
import { useNodeTree } from '../../lib/node-watch.tsx';
import type { TreeNode } from '../../lib/node-tree.ts';
import { useNow } from '../../lib/use-now.ts';
import { useRoleAllows } from '../../lib/session.ts';
import { AlertActions } from './alert-actions.tsx';
import { silenceListQueryOptions } from './alert-queries.ts';
import { alertKey, type LiveAlert } from './alert-store.ts';
import { activeSilenceFor, silenceUntil } from './silence-input.ts';

/** Rows rendered at first; more on request, so a storm of alerts never renders thousands at once. */
const SHOWN_AT_FIRST = 100;

const NO_SILENCES: Silence[] = [];

const STATE_TONES: Record<AlertState, string> = {
  firing: 'bad',
  flapping: 'warn',
  pending: 'neutral',
  resolved: 'ok',
};

/**
 * Alerts as a list of cards: severity, rule, summary, device and owning node (both links), state
 * and age, then the marks an operator must not miss (stale copy, ack, silence) and the actions.
 * One column on a phone, a row per alert on wider screens (global.css).
 */
export function AlertList({
  entries,
  label,
  actions = true,
}: {
  entries: readonly LiveAlert[];
  /** The list's accessible name: "Open alerts". */
  label: string;
  /** Ack, unack and silence buttons on each alert (for operators and admins only). */
  actions?: boolean;
}) {
  const [shown, setShown] = useState(SHOWN_AT_FIRST);
  // A viewer is not offered what the server would refuse; silences are still marked for them.
  const mayAct = useRoleAllows('operator');
  // Which alerts a silence covers now; without the list (or while it loads) none is marked.
  const silences = useQuery({ ...silenceListQueryOptions(), enabled: actions }).data?.items ?? NO_SILENCES;
  const now = useNow(5_000);
  const { rows } = useNodeTree();
  const nodes = useMemo(() => new Map(rows.map((row) => [row.path, row])), [rows]);
  const visible = entries.slice(0, shown);
  return (
    <>
      <ul className="alert-list" aria-label={label}>
        {visible.map((entry) => (
          <AlertItem
            key={alertKey(entry.alert)}
            entry={entry}
            now={now}
            owner={nodes.get(entry.alert.nodePath)}
            silence={activeSilenceFor(entry.alert, silences, now)}
            actions={actions && mayAct}
          />
        ))}
      </ul>
      {entries.length > shown && (
        <div className="panel-foot">
          <button type="button" className="button" onClick={() => setShown((n) => n + SHOWN_AT_FIRST)}>
            Show {Math.min(SHOWN_AT_FIRST, entries.length - shown)} more of {entries.length - shown}
          </button>
        </div>
      )}
    </>
  );
}

function AlertItem({
  entry,
  now,
  owner,
  silence,
  actions,
}: {
  entry: LiveAlert;
  now: number;
  owner: TreeNode | undefined;
  silence: Silence | undefined;
  actions: boolean;
}) {
  const { alert } = entry;
  return (
    <li
      className="alert-item"
      data-testid="alert-row"
      data-alert-id={alert.id}
      data-node={alert.nodePath}
      data-device={alert.deviceId ?? undefined}
      data-severity={alert.severity}
      data-state={alert.state}
      data-stale={alert.stale}
      data-acked={alert.ack !== null}
    >
      <div className="alert-main">
        <div className="alert-title">
          <SeverityLabel severity={alert.severity} />
          <h3>{alert.ruleName}</h3>
        </div>
        <p className="alert-summary">{alert.summary}</p>
        <p className="alert-meta">
          <AlertSubject alert={alert} />
          <span className="alert-where">
            on{' '}
            <NodeLink path={alert.nodePath} className="mono">
              {alert.nodePath}
            </NodeLink>
          </span>
        </p>
        <p className="alert-meta">
          <span className="pill" data-tone={STATE_TONES[alert.state]}>
            {alert.state}
          </span>
          <time
            className="muted"
            dateTime={new Date(alert.startedAt).toISOString()}
            title={`Started ${formatTimestamp(alert.startedAt)}`}
          >
            {alert.state === 'resolved' && alert.resolvedAt !== null
              ? `${formatAgo(alert.resolvedAt, now)}, lasted ${formatAge(alert.resolvedAt - alert.startedAt)}`
              : `for ${formatAge(now - alert.startedAt)}`}
          </time>
        </p>
        <AlertMarks entry={entry} now={now} owner={owner} silence={silence} />
      </div>
      {actions && <AlertActions alert={alert} silence={silence} />}
    </li>
  );
}

/** The device the alert is about (a link to its page on the owner), or the node for a node alert. */
function AlertSubject({ alert }: { alert: Alert }) {
  if (alert.deviceId !== null)
    return (
      <Link
        to="/devices/$deviceId"
        params={{ deviceId: alert.deviceId }}
        search={{ node: alert.nodePath }}
        className="alert-device"
      >
        {alert.deviceId}
      </Link>
    );
  if (alert.subjectPath !== null)
    return (
      <NodeLink path={alert.subjectPath} className="alert-device mono">
        {alert.subjectPath}
      </NodeLink>
    );
  return null;
}

/**
 * What makes an alert's row differ from what its owner says now: a stale copy (and how old it
 * is), someone's ack with their note, a silence that holds its notifications back.
 */
function AlertMarks({
  entry,
  now,
  owner,
  silence,
}: {
  entry: LiveAlert;
  now: number;
  owner: TreeNode | undefined;
  silence: Silence | undefined;
}) {
  const { alert } = entry;
  const staleAge = alert.stale ? staleAgeMs(entry, owner, now) : null;
  if (staleAge === null && !alert.ack && !silence && !alert.silenced) return null;
  return (
    <p className="alert-marks">
      {staleAge !== null && (
        <span className="pill" data-tone="warn" data-testid="alert-stale">
          Stale · last known {formatAge(staleAge)} ago
          <span className="visually-hidden">
            : its node does not answer; this is the last copy its parent had
          </span>
        </span>
      )}
      {alert.ack && (
        <span className="alert-ack" data-testid="alert-ack">
          <span className="pill" data-tone="ok">
            Acked
          </span>{' '}
          by {alert.ack.by} {formatAgo(alert.ack.at, now)}
          {alert.ack.note && <q className="alert-note">{alert.ack.note}</q>}
        </span>
      )}
      {silence ? (
        <span className="pill" data-tone="neutral" data-testid="alert-silence">
          Silenced {silenceUntil(silence, now)}
        </span>
      ) : (
        alert.silenced && (
          <span className="pill" data-tone="neutral">
            Fired while silenced
          </span>
        )
      )}
    </p>
  );
}

/**
 * How old a stale copy is: how long its owner has been silent as the tree says, else since the
 * parent marked it stale, else since it last changed (it was at least that current).
 */
function staleAgeMs(entry: LiveAlert, owner: TreeNode | undefined, now: number): number {
  if (owner && owner.status !== 'live' && owner.ageMs !== null) return owner.ageMs;
  return Math.max(0, now - (entry.staleSince ?? entry.alert.updatedAt));
}
