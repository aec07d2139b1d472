import { Link } from '@tanstack/react-router';
import type { Severity } from '@tierscope/shared/domain';
import { useMemo } from 'react';
import { Count } from '../../components/ui/count.tsx';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { SeverityLabel } from '../../components/ui/status-pill.tsx';
import { formatAgo, formatCount } from '../../lib/format.ts';
import { useNow } from '../../lib/use-now.ts';
import { alertsSearchOf } from './alert-filters.ts';
import { alertKey, firingCounts, isFiring, selectAlerts } from './alert-store.ts';
import { useLiveAlerts } from './use-live-alerts.ts';

const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];
/** The newest, most severe firing alerts the overview lists under the counts. */
const LISTED = 5;

/**
 * The overview's alerts: firing (and flapping) alerts by severity from the live store, each a
 * link into the alerts page filtered the same way, and the few most severe. Counts read as lower
 * bounds while a node is down (its alerts are then last known copies, and new ones cannot arrive).
 */
export function FiringAlertsPanel() {
  const { store, query, coverage, partial } = useLiveAlerts();
  const counts = useMemo(() => firingCounts(store), [store]);
  const top = useMemo(() => selectAlerts(store, isFiring).slice(0, LISTED), [store]);
  const total = counts.all.critical + counts.all.warning + counts.all.info;
  const now = useNow(10_000);

  return (
    <FanOutPanel
      title="Firing alerts"
      query={query}
      coverage={coverage}
      showLatency={false}
      summary={`${formatCount(total, partial)} firing`}
      actions={
        <Link to="/alerts" className="button">
          All alerts
        </Link>
      }
      testId="alerts-summary-panel"
    >
      <div className="alert-counts">
        {SEVERITIES.map((severity) => (
          <Link
            key={severity}
            to="/alerts"
            search={alertsSearchOf({ state: 'firing', severity })}
            className="alert-count"
            data-severity={severity}
            data-testid={`alert-count-${severity}`}
          >
            {/* Named by what it shows (WCAG 2.5.3), with a hint: "critical 12 (firing) 3 not acked". */}
            <SeverityLabel severity={severity} />
            <span className="alert-count-value" data-testid="alert-count-value">
              <Count value={counts.all[severity]} lowerBound={partial} />
            </span>
            <span className="visually-hidden"> (firing)</span>
            <span className="alert-count-note">{formatCount(counts.unacked[severity])} not acked</span>
          </Link>
        ))}
      </div>
      {top.length === 0 ? (
        <p className="muted alert-counts-empty">
          Nothing is firing{partial ? ' on the nodes that answer' : ''}.
        </p>
      ) : (
        <ul className="alert-brief" aria-label="Most severe firing alerts">
          {top.map(({ alert }) => (
            <li key={alertKey(alert)} data-severity={alert.severity}>
              <SeverityLabel severity={alert.severity} />
              <span className="alert-brief-text">
                <Link
                  to="/alerts"
                  search={alertsSearchOf({
                    state: 'firing',
                    node: alert.nodePath,
                    ...(alert.deviceId !== null && { device: alert.deviceId }),
                  })}
                >
                  {alert.ruleName}
                </Link>
                <span className="muted">
                  {' '}
                  {alert.deviceId ?? alert.subjectPath} · {alert.nodePath} · {formatAgo(alert.startedAt, now)}
                  {alert.stale && ' · stale'}
                  {alert.ack && ' · acked'}
                </span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </FanOutPanel>
  );
}
