import { useInfiniteQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useCallback, useMemo } from 'react';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { PageHeader } from '../../components/ui/page-header.tsx';
import { TimeRangePicker } from '../../components/ui/time-range-picker.tsx';
import { EventFilters } from '../../features/events/event-filters.tsx';
import { eventListQueryOptions } from '../../features/events/event-queries.ts';
import { EventTable } from '../../features/events/event-table.tsx';
import { eventsRange, parseEventsSearch, type EventsSearch } from '../../features/events/events-search.ts';
import { formatCount } from '../../lib/format.ts';
import { useNodeTree } from '../../lib/node-watch.tsx';
import { usePagedList } from '../../lib/paged-list.ts';
import { useRefetchInterval } from '../../lib/refresh-interval.tsx';
import { describeRange, rangeToSearch, type RangeSelection } from '../../lib/time-range.ts';

const route = getRouteApi('/events');

/** Device events from every node, or from one node's subtree, full-text searched, newest first. */
export function EventsRoute() {
  const rawSearch = route.useSearch();
  const search = useMemo(() => parseEventsSearch(rawSearch), [rawSearch]);
  const navigate = route.useNavigate();
  const selection = eventsRange(search);
  const { rows: nodes } = useNodeTree();
  const query = useInfiniteQuery(
    eventListQueryOptions(
      { query: search.q, severity: search.severity, nodePath: search.node, selection },
      useRefetchInterval(),
    ),
  );
  const { rows, coverage, loadMore } = usePagedList(query);
  const setFilters = useCallback(
    (next: Partial<EventsSearch>) =>
      void navigate({ search: (prev) => ({ ...prev, ...next }), replace: true }),
    [navigate],
  );
  const setRange = useCallback((next: RangeSelection) => setFilters(rangeToSearch(next)), [setFilters]);
  const nodeOptions = useMemo(
    () => nodes.filter((n) => n.path !== '').map((n) => ({ path: n.path, label: n.path })),
    [nodes],
  );
  const partial = coverage !== undefined && coverage.answered < coverage.asked;

  return (
    <>
      <PageHeader
        title="Events"
        subtitle={
          search.node
            ? `What devices reported under ${search.node}`
            : 'What devices reported, across every node'
        }
        actions={<TimeRangePicker value={selection} onChange={setRange} />}
      />
      <EventFilters value={search} nodes={nodeOptions} onChange={setFilters} />
      <FanOutPanel
        title={search.q ? `Events matching “${search.q}”` : 'Events'}
        query={query}
        coverage={coverage}
        summary={
          query.data &&
          `${formatCount(rows.length)}${query.hasNextPage ? '+' : ''} · ${describeRange(selection)}`
        }
        isEmpty={rows.length === 0}
        emptyTitle="No events match"
        emptyText={
          partial
            ? 'Some nodes did not answer: their events may match.'
            : 'Try a longer range, another severity or fewer words.'
        }
        flush
        testId="events-panel"
      >
        <EventTable
          events={rows}
          hasMore={query.hasNextPage}
          loadingMore={query.isFetchingNextPage}
          onLoadMore={loadMore}
          footer={`${formatCount(rows.length)} loaded${query.hasNextPage ? ' · scroll for more' : ' · end of list'}`}
        />
      </FanOutPanel>
    </>
  );
}
