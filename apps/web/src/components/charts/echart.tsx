// The one ECharts wrapper: registers the parts the console uses, and owns init, resize and dispose.
import { BarChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import {
  BrushComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useEffectEvent, useRef, type CSSProperties } from 'react';
import type { EChartOption } from './echart-option.ts';

echarts.use([
  LineChart,
  ScatterChart,
  BarChart,
  HeatmapChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  BrushComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export interface EChartProps {
  option: EChartOption;
  /** What the chart shows, for screen readers (the canvas itself says nothing). */
  label: string;
  height?: number;
  /**
   * Dragging across the chart selects a time span and reports it (x-axis values); the caller
   * zooms by changing the range. Off on touch screens, where dragging scrolls the page.
   */
  onSelectRange?: ((from: number, to: number) => void) | undefined;
}

interface BrushEndEvent {
  areas?: { coordRange?: [number, number] }[];
}

const FINE_POINTER = '(pointer: fine)';

export function EChart({ option, label, height = 240, onSelectRange }: EChartProps) {
  const elementRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<echarts.ECharts | null>(null);
  const reportSelection = useEffectEvent((from: number, to: number) => onSelectRange?.(from, to));
  const selectable = onSelectRange !== undefined;

  useEffect(() => {
    const element = elementRef.current;
    if (!element) return;
    const chart = echarts.init(element, undefined, { renderer: 'canvas' });
    chartRef.current = chart;
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(element);
    chart.on('brushEnd', (event) => {
      const range = (event as BrushEndEvent).areas?.[0]?.coordRange;
      // The selection has done its job once reported: clear it so the new range draws clean.
      chart.dispatchAction({ type: 'brush', areas: [] });
      if (range) reportSelection(range[0], range[1]);
    });
    return () => {
      observer.disconnect();
      chart.dispose();
      chartRef.current = null;
    };
  }, []);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    const brush = selectable && window.matchMedia(FINE_POINTER).matches;
    chart.setOption(
      brush
        ? {
            ...option,
            brush: { xAxisIndex: 0, brushType: 'lineX', brushMode: 'single', throttleType: 'debounce' },
          }
        : option,
      { notMerge: true },
    );
    if (brush)
      chart.dispatchAction({
        type: 'takeGlobalCursor',
        key: 'brush',
        brushOption: { brushType: 'lineX', brushMode: 'single' },
      });
  }, [option, selectable]);

  return (
    <div
      ref={elementRef}
      className="chart"
      role="img"
      aria-label={label}
      style={{ '--chart-height': `${height}px` } as CSSProperties}
    />
  );
}
