import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useChartTheme } from '../../components/charts/chart-theme.ts';
import { EChart } from '../../components/charts/echart.tsx';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { ChartSkeleton } from '../../components/ui/notices.tsx';
import { useRefetchInterval } from '../../lib/refresh-interval.tsx';
import { describeRange, type RangeSelection } from '../../lib/time-range.ts';
import { describeMetricChart, metricChartOptions } from './metric-chart-options.ts';
import { seriesQueryOptions, type DeviceKey } from './metric-queries.ts';
import { metricLabel } from './metric-units.ts';

const SOURCE_TEXT = { raw: 'raw samples', minute: 'per-minute rollups', hour: 'hourly rollups' } as const;

/** One metric of one device over the selected range: average line in its min–max band. */
export function MetricChartPanel({
  device,
  metric,
  selection,
  onSelectRange,
}: {
  device: DeviceKey;
  metric: string;
  selection: RangeSelection;
  onSelectRange: (from: number, to: number) => void;
}) {
  const refetchInterval = useRefetchInterval();
  const query = useQuery({
    ...seriesQueryOptions(device, metric, selection),
    // A preset window moves with time; a fixed one never changes.
    refetchInterval: selection.kind === 'preset' ? refetchInterval : false,
    placeholderData: keepPreviousData,
  });
  const theme = useChartTheme();
  const { name, unit } = metricLabel(metric);
  const data = query.data;
  const option = useMemo(
    () =>
      data &&
      metricChartOptions({ series: data.series, range: data.range, theme, unit: metricLabel(metric).unit }),
    [data, theme, metric],
  );

  return (
    <FanOutPanel
      title={name}
      headingLevel={3}
      query={query}
      summary={
        data && (
          <>
            {unit && `${unit} · `}
            {SOURCE_TEXT[data.series.source]}
          </>
        )
      }
      isEmpty={data?.series.points.length === 0}
      emptyTitle="No samples in this range"
      emptyText="Pick a longer range, or check that the device is sending this metric."
      loading={<ChartSkeleton label={`${name} chart`} />}
    >
      {option && data && (
        <EChart
          option={option}
          label={describeMetricChart(data.series, name, unit, describeRange(selection))}
          onSelectRange={onSelectRange}
        />
      )}
    </FanOutPanel>
  );
}
