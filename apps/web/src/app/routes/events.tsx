import { getRouteApi } from '@tanstack/react-router';
import { useCallback, useMemo } from 'react';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { PageHeader } from '../../components/ui/page-header.tsx';
import { TimeRangePicker } from '../../components/ui/time-range-picker.tsx';
import { EventFilters } from '../../features/events/event-filters.tsx';
import { EventTable } from '../../features/events/event-table.tsx';
import { eventsRange, parseEventsSearch, type EventsSearch } from '../../features/events/events-search.ts';
import { useEventList } from '../../features/events/use-event-list.ts';
import { formatCount } from '../../lib/format.ts';
import { describeRange, rangeToSearch, type RangeSelection } from '../../lib/time-range.ts';

const route = getRouteApi('/events');

/** Device events from every node, full-text searched, newest first. */
export function EventsRoute() {
  const rawSearch = route.useSearch();
  const search = useMemo(() => parseEventsSearch(rawSearch), [rawSearch]);
  const navigate = route.useNavigate();
  const selection = eventsRange(search);
  const { query, rows, coverage, loadMore } = useEventList({
    query: search.q,
    severity: search.severity,
    selection,
  });
  const setFilters = useCallback(
    (next: Partial<EventsSearch>) =>
      void navigate({ search: (prev) => ({ ...prev, ...next }), replace: true }),
    [navigate],
  );
  const setRange = useCallback((next: RangeSelection) => setFilters(rangeToSearch(next)), [setFilters]);
  const partial = coverage !== undefined && coverage.answered < coverage.asked;

  return (
    <>
      <PageHeader
        title="Events"
        subtitle="What devices reported, across every node"
        actions={<TimeRangePicker value={selection} onChange={setRange} />}
      />
      <EventFilters value={search} onChange={setFilters} />
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
