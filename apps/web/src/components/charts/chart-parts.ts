// Option parts every chart of the console shares; pure, so option builders stay testable.
import type { ChartTheme } from './echart-option.ts';

/** A tooltip's colours from the theme; a chart adds its own trigger and text. */
export function tooltipColors(theme: ChartTheme) {
  return {
    backgroundColor: theme.surface,
    borderColor: theme.border,
    textStyle: { color: theme.text },
  };
}

/** A time x-axis over [from, to] in the theme's colours, labels thinned where they would overlap. */
export function timeAxis(theme: ChartTheme, from: number, to: number) {
  return {
    type: 'time' as const,
    min: from,
    max: to,
    axisLine: { lineStyle: { color: theme.border } },
    axisLabel: { color: theme.muted, hideOverlap: true },
    splitLine: { show: false },
  };
}
