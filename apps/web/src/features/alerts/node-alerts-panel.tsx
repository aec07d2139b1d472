import { Link } from '@tanstack/react-router';
import { useMemo } from 'react';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { formatCount } from '../../lib/format.ts';
import { alertsSearchOf, matchesFilters } from './alert-filters.ts';
import { AlertList } from './alert-list.tsx';
import { selectAlerts } from './alert-store.ts';
import { useLiveAlerts } from './use-live-alerts.ts';

/** The open alerts owned by a node or beneath it ("" is the whole fleet), live from the store. */
export function NodeAlertsPanel({ path }: { path: string }) {
  const { store, query, coverage, partial } = useLiveAlerts(path || undefined);
  const entries = useMemo(
    () => selectAlerts(store, (alert) => matchesFilters(alert, { node: path || undefined })),
    [store, path],
  );
  return (
    <FanOutPanel
      title="Open alerts"
      query={query}
      coverage={coverage}
      showLatency={false}
      summary={query.status === 'success' && formatCount(entries.length, partial)}
      actions={
        <Link to="/alerts" search={alertsSearchOf({ node: path || undefined })} className="button">
          Open in alerts
        </Link>
      }
      flush={entries.length > 0}
      testId="node-alerts-panel"
    >
      {entries.length > 0 ? (
        <AlertList entries={entries} label={`Open alerts of ${path || 'the fleet'}`} />
      ) : (
        <p className="muted panel-note">
          No open alerts{path ? ' on this node or beneath it' : ''}
          {partial ? ' among the nodes that answer' : ''}.
        </p>
      )}
    </FanOutPanel>
  );
}
