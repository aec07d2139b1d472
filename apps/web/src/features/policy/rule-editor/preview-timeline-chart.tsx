import type { RulePreview } from '@tierscope/shared/schemas';
import { useMemo } from 'react';
import { useChartTheme } from '../../../components/charts/chart-theme.ts';
import { EChart } from '../../../components/charts/echart.tsx';
import { describePreviewTimeline, previewTimelineOptions } from './preview-timeline-options.ts';

/** The preview's transitions over its window; loaded lazily with ECharts. */
export function PreviewTimelineChart({
  preview,
  from,
  to,
}: {
  preview: RulePreview;
  from: number;
  to: number;
}) {
  const theme = useChartTheme();
  const option = useMemo(
    () => previewTimelineOptions({ preview, from, to, theme }),
    [preview, from, to, theme],
  );
  return <EChart option={option} height={140} label={describePreviewTimeline(preview)} />;
}
