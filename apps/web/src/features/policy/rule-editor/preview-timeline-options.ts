import type { RulePreview, RulePreviewTransition } from '@tierscope/shared/schemas';
import { timeAxis, tooltipColors } from '../../../components/charts/chart-parts.ts';
import type { ChartTheme, EChartOption } from '../../../components/charts/echart-option.ts';
import { formatTimestamp, formatValue } from '../../../lib/format.ts';

type TransitionKind = RulePreviewTransition['kind'];

/** Bottom to top: resolved, flapping, fired. */
const KINDS: readonly TransitionKind[] = ['resolved', 'flapping', 'fired'];

export interface PreviewTimelineInput {
  preview: Pick<RulePreview, 'timeline'>;
  from: number;
  to: number;
  theme: ChartTheme;
}

/** One row per kind of transition, a dot per transition at its time; the tooltip names the device. */
export function previewTimelineOptions({ preview, from, to, theme }: PreviewTimelineInput): EChartOption {
  const colors: Record<TransitionKind, string> = {
    fired: theme.palette[4] ?? theme.text,
    flapping: theme.palette[2] ?? theme.text,
    resolved: theme.palette[1] ?? theme.text,
  };
  return {
    animation: false,
    grid: { left: 8, right: 16, top: 8, bottom: 8, containLabel: true },
    tooltip: {
      trigger: 'item',
      ...tooltipColors(theme),
      formatter: (params) => {
        const item = Array.isArray(params) ? params[0] : params;
        const transition = preview.timeline[item?.dataIndex ?? -1];
        return transition ? describeTransition(transition) : '';
      },
    },
    xAxis: timeAxis(theme, from, to),
    yAxis: {
      type: 'category',
      data: [...KINDS],
      axisLabel: { color: theme.muted },
      splitLine: { show: true, lineStyle: { color: theme.grid } },
    },
    series: [
      {
        id: 'transitions',
        type: 'scatter',
        symbolSize: 8,
        data: preview.timeline.map((t) => ({
          value: [t.at, t.kind],
          itemStyle: { color: colors[t.kind] },
        })),
      },
    ],
  };
}

/** "Nov 22, 14:03:07 fired: sensor-7 on district-1/probe-a (value 91.5)". */
export function describeTransition(t: RulePreviewTransition): string {
  const value = t.value === null ? '' : ` (value ${formatValue(t.value)})`;
  return `${formatTimestamp(t.at)} ${t.kind}: ${t.deviceId} on ${t.nodePath}${value}`;
}

/** The chart's accessible name: how many transitions of each kind it shows. */
export function describePreviewTimeline(preview: Pick<RulePreview, 'timeline' | 'timelineComplete'>): string {
  const counts = KINDS.toReversed().map(
    (kind) => `${preview.timeline.filter((t) => t.kind === kind).length} ${kind}`,
  );
  const shown = preview.timelineComplete ? '' : ', the first ones only';
  return `Timeline of the rule's transitions over the last 24 hours: ${counts.join(', ')}${shown}`;
}
