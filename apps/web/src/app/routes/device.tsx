import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useCallback, useMemo } from 'react';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { DeviceAlertsPanel } from '../../features/alerts/device-alerts-panel.tsx';
import { DeviceCommandsPanel } from '../../features/commands/device-commands-panel.tsx';
import { DeviceAccessPanel } from '../../features/devices/device-access-panel.tsx';
import { DeviceConfigPanel } from '../../features/device-config/device-config-panel.tsx';
import { EmptyState } from '../../components/ui/notices.tsx';
import { nodePathCrumbs, PageHeader } from '../../components/ui/page-header.tsx';
import { TimeRangePicker } from '../../components/ui/time-range-picker.tsx';
import { deviceQueryOptions } from '../../features/devices/device-queries.ts';
import { deviceRange, parseDeviceSearch } from '../../features/devices/device-search.ts';
import { DeviceSummary } from '../../features/devices/device-summary.tsx';
import { eventListQueryOptions } from '../../features/events/event-queries.ts';
import { EventTable } from '../../features/events/event-table.tsx';
import { LatestValues } from '../../features/metrics/latest-values.tsx';
import { MetricChartPanel } from '../../features/metrics/metric-chart-panel.tsx';
import { latestQueryOptions } from '../../features/metrics/metric-queries.ts';
import { formatCount } from '../../lib/format.ts';
import { usePagedList } from '../../lib/paged-list.ts';
import { useRefetchInterval } from '../../lib/refresh-interval.tsx';
import { absoluteRange, describeRange, rangeToSearch, type RangeSelection } from '../../lib/time-range.ts';

const route = getRouteApi('/devices/$deviceId');

/** One device on its owning node: who it is, its latest values, its metrics over time, its events. */
export function DeviceRoute() {
  const { deviceId } = route.useParams();
  const { node } = parseDeviceSearch(route.useSearch());
  if (!node)
    return (
      <>
        <PageHeader title={deviceId} />
        <EmptyState title="This link does not say which node owns the device">
          <Link to="/devices" search={{ q: deviceId }}>
            Find {deviceId} in the devices list
          </Link>
        </EmptyState>
      </>
    );
  return <DevicePage nodePath={node} deviceId={deviceId} />;
}

function DevicePage({ nodePath, deviceId }: { nodePath: string; deviceId: string }) {
  const rawSearch = route.useSearch();
  const selection = useMemo(() => deviceRange(parseDeviceSearch(rawSearch)), [rawSearch]);
  const navigate = route.useNavigate();
  const refetchInterval = useRefetchInterval();
  const device = useQuery({ ...deviceQueryOptions(nodePath, deviceId), refetchInterval });
  const latest = useQuery({ ...latestQueryOptions({ nodePath, deviceId }), refetchInterval });
  // A device id names a device per probe: the owner's path keeps the search to this one.
  const eventQuery = useInfiniteQuery(
    eventListQueryOptions({ deviceId, nodePath, selection }, refetchInterval),
  );
  const events = { query: eventQuery, ...usePagedList(eventQuery) };
  const key = useMemo(() => ({ nodePath, deviceId }), [nodePath, deviceId]);

  const setRange = useCallback(
    (next: RangeSelection) => void navigate({ search: (prev) => ({ ...prev, ...rangeToSearch(next) }) }),
    [navigate],
  );
  const zoomTo = useCallback(
    (from: number, to: number) => {
      const next = absoluteRange(from, to);
      if (next) setRange(next);
    },
    [setRange],
  );

  const metrics = useMemo(
    () => Object.keys(latest.data?.values ?? device.data?.latest ?? {}).sort(),
    [latest.data, device.data],
  );
  const name = device.data?.name || deviceId;

  return (
    <>
      <PageHeader
        crumbs={[...nodePathCrumbs(nodePath), { label: name }]}
        title={name}
        subtitle={
          <>
            {name !== deviceId && <span className="mono">{deviceId} </span>}
            on <span className="mono">{nodePath}</span>
          </>
        }
        actions={<TimeRangePicker value={selection} onChange={setRange} />}
      />
      <div className="two-col">
        <FanOutPanel title="Device" query={device} testId="device-panel">
          {device.data && <DeviceSummary device={device.data} />}
        </FanOutPanel>
        <FanOutPanel
          title="Latest values"
          query={latest}
          isEmpty={metrics.length === 0}
          emptyTitle="No metrics yet"
          emptyText="The device has sent no telemetry."
        >
          {latest.data && <LatestValues values={latest.data.values} />}
        </FanOutPanel>
      </div>
      <DeviceAlertsPanel nodePath={nodePath} deviceId={deviceId} />
      <DeviceCommandsPanel nodePath={nodePath} deviceId={deviceId} kind={device.data?.kind} />
      {device.data && <DeviceAccessPanel device={device.data} />}
      <DeviceConfigPanel nodePath={nodePath} deviceId={deviceId} />
      <section aria-labelledby="metrics-heading" className="stack">
        <div className="page-header">
          <h2 id="metrics-heading">Metrics · {describeRange(selection)}</h2>
          <p className="muted chart-caption">
            Drag across a chart to zoom in; pick a range above to zoom out.
          </p>
        </div>
        {metrics.length === 0 && latest.isSuccess && <EmptyState title="No metrics to chart" />}
        <div className="chart-grid">
          {metrics.map((metric) => (
            <MetricChartPanel
              key={metric}
              device={key}
              metric={metric}
              selection={selection}
              onSelectRange={zoomTo}
            />
          ))}
        </div>
      </section>
      <FanOutPanel
        title="Events"
        query={events.query}
        coverage={events.coverage}
        summary={`${formatCount(events.rows.length)}${events.query.hasNextPage ? '+' : ''} · ${describeRange(selection)}`}
        isEmpty={events.rows.length === 0 && !events.query.hasNextPage}
        emptyTitle="No events in this range"
        flush
      >
        <EventTable
          label={`Events of ${name}`}
          events={events.rows}
          hasMore={events.query.hasNextPage}
          loadingMore={events.query.isFetchingNextPage}
          onLoadMore={events.loadMore}
          footer={`${formatCount(events.rows.length)} loaded`}
          height="min(400px, 60dvh)"
        />
      </FanOutPanel>
    </>
  );
}
