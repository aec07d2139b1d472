import { queryOptions } from '@tanstack/react-query';
import { api } from '../../lib/trpc.ts';
import { resolveRange, type RangeSelection } from '../../lib/time-range.ts';

export interface DeviceKey {
  nodePath: string;
  deviceId: string;
}

/** Enough points for a chart a screen wide; the node picks raw samples or rollups to fit. */
export const CHART_MAX_POINTS = 600;

/**
 * One metric over a range. A preset range is resolved when the query runs, so each refresh
 * moves the window to now; the answer carries the instants it was asked for.
 */
export const seriesQueryOptions = (device: DeviceKey, metric: string, selection: RangeSelection) =>
  queryOptions({
    queryKey: ['metrics.series', device, metric, selection],
    queryFn: async ({ signal }) => {
      const range = resolveRange(selection, new Date());
      const series = await api.metrics.series.query(
        { ...device, metric, ...range, maxPoints: CHART_MAX_POINTS },
        { signal },
      );
      return { series, range };
    },
  });

export const latestQueryOptions = (device: DeviceKey) =>
  queryOptions({
    queryKey: ['metrics.latest', device],
    queryFn: ({ signal }) => api.metrics.latest.query(device, { signal }),
  });
