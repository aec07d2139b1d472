import type { TrendPoint } from '@tierscope/shared/schemas';
import { useMemo } from 'react';
import { useChartTheme } from '../../components/charts/chart-theme.ts';
import { EChart } from '../../components/charts/echart.tsx';
import { describeReportTrend, reportTrendOptions } from './report-trend-options.ts';

/** Availability per step of the period; loaded lazily with ECharts. */
export function ReportTrendChart({ trend }: { trend: readonly TrendPoint[] }) {
  const theme = useChartTheme();
  const option = useMemo(() => reportTrendOptions(trend, theme), [trend, theme]);
  return <EChart option={option} height={220} label={describeReportTrend(trend)} />;
}
