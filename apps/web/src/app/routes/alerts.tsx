import { getRouteApi } from '@tanstack/react-router';
import { useCallback, useMemo } from 'react';
import { Count } from '../../components/ui/count.tsx';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { PageHeader } from '../../components/ui/page-header.tsx';
import { AlertFilterBar } from '../../features/alerts/alert-filter-bar.tsx';
import { STATE_FILTER_LABELS, type AlertFilters } from '../../features/alerts/alert-filters.ts';
import { AlertList } from '../../features/alerts/alert-list.tsx';
import { AlertSoundToggle } from '../../features/alerts/alert-notifier.tsx';
import { useAlertStream } from '../../features/alerts/alert-stream.tsx';
import { parseAlertsSearch } from '../../features/alerts/alerts-search.ts';
import { useAlertList } from '../../features/alerts/use-alert-list.ts';
import { formatCount } from '../../lib/format.ts';
import { useNodeTree } from '../../lib/node-watch.tsx';

const route = getRouteApi('/alerts');

const STREAM_TEXT = { live: 'Live', connecting: 'Connecting…', error: 'Disconnected' } as const;

/** Every alert of every node: the open ones live from the stream, the resolved ones as history. */
export function AlertsRoute() {
  const rawSearch = route.useSearch();
  const filters = useMemo(() => parseAlertsSearch(rawSearch), [rawSearch]);
  const navigate = route.useNavigate();
  const { rows: nodes } = useNodeTree();
  const list = useAlertList(filters);
  const { state } = useAlertStream();
  const setFilters = useCallback(
    (next: Partial<AlertFilters>) =>
      void navigate({ search: (prev) => ({ ...prev, ...next }), replace: true }),
    [navigate],
  );
  const nodeOptions = useMemo(
    () => nodes.filter((n) => n.path !== '').map((n) => ({ path: n.path, label: n.path })),
    [nodes],
  );
  const stateLabel = STATE_FILTER_LABELS[filters.state ?? 'open'];
  const filtered = Boolean(filters.severity || filters.node || filters.device || filters.q);
  const history = filters.state === 'resolved';
  const critical = list.entries.filter((e) => e.alert.severity === 'critical').length;

  return (
    <>
      <PageHeader
        title="Alerts"
        subtitle={
          <>
            <span className="stream-state" data-state={state.kind} role="status">
              {history ? 'History from every node' : `${STREAM_TEXT[state.kind]} from every node`}
            </span>
            {!history && list.query.status !== 'pending' && (
              <>
                {' · '}
                <Count value={list.entries.length} lowerBound={list.partial} /> {stateLabel.toLowerCase()}
                {filtered && ' matching'}
              </>
            )}
          </>
        }
      />
      <AlertFilterBar
        value={filters}
        nodes={nodeOptions}
        onChange={setFilters}
        tools={<AlertSoundToggle />}
      />
      <FanOutPanel
        title={history ? 'Resolved alerts' : `${stateLabel} alerts`}
        query={list.query}
        coverage={list.coverage}
        showLatency={history}
        summary={
          list.query.status === 'success' &&
          `${formatCount(list.entries.length, list.partial)}${list.hasMore ? '+' : ''}${critical > 0 ? ` · ${formatCount(critical)} critical` : ''}`
        }
        isEmpty={list.entries.length === 0 && !list.hasMore}
        emptyTitle={
          filtered
            ? 'No alerts match'
            : history
              ? 'No resolved alerts'
              : `No ${stateLabel.toLowerCase()} alerts`
        }
        emptyText={
          list.partial
            ? 'Some nodes do not answer: their alerts may be missing.'
            : filtered
              ? 'Try fewer filters.'
              : history
                ? 'Alerts appear here once they resolve.'
                : 'Every rule on every node is quiet. New alerts appear here as they fire.'
        }
        flush
        testId="alerts-panel"
      >
        <AlertList entries={list.entries} label={history ? 'Resolved alerts' : `${stateLabel} alerts`} />
        {list.hasMore && (
          <div className="panel-foot">
            <button type="button" className="button" onClick={list.loadMore} disabled={list.loadingMore}>
              {list.loadingMore ? 'Loading…' : 'Load older'}
            </button>
          </div>
        )}
      </FanOutPanel>
    </>
  );
}
