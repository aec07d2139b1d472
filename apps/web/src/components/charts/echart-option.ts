// Types only: option builders import these without pulling ECharts into their chunk.
import type {
  BarSeriesOption,
  HeatmapSeriesOption,
  LineSeriesOption,
  ScatterSeriesOption,
} from 'echarts/charts';
import type {
  BrushComponentOption,
  GridComponentOption,
  LegendComponentOption,
  TooltipComponentOption,
  VisualMapComponentOption,
} from 'echarts/components';
import type { ComposeOption } from 'echarts/core';

/** Every option the console's charts use; `echart.tsx` registers exactly these parts. */
export type EChartOption = ComposeOption<
  | LineSeriesOption
  | ScatterSeriesOption
  | BarSeriesOption
  | HeatmapSeriesOption
  | GridComponentOption
  | TooltipComponentOption
  | LegendComponentOption
  | BrushComponentOption
  | VisualMapComponentOption
>;

/** Colours for charts, read from the theme's CSS variables (global.css). */
export interface ChartTheme {
  text: string;
  muted: string;
  grid: string;
  surface: string;
  border: string;
  palette: string[];
}
