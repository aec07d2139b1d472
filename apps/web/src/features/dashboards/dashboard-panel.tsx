import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { FleetMetricAnswer, Panel } from '@tierscope/shared/schemas';
import { useMemo, type ReactNode } from 'react';
import { EChart } from '../../components/charts/echart.tsx';
import { useChartTheme } from '../../components/charts/chart-theme.ts';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { summarizeCoverage } from '../../lib/coverage.ts';
import { formatTimestamp, formatValue } from '../../lib/format.ts';
import { useRefetchInterval } from '../../lib/refresh-interval.tsx';
import type { RangeSelection } from '../../lib/time-range.ts';
import { panelQueryOptions } from './dashboard-queries.ts';
import { barOptions, heatmapOptions, timeSeriesOptions } from './panel-chart-options.ts';
import { statValue, tableRows, thresholdLevel, type DashboardVariables } from './panel-query.ts';
import { useInView } from './use-in-view.ts';

export interface DashboardPanelProps {
  panel: Panel;
  variables: DashboardVariables;
  range: RangeSelection;
  /** The chart's height in px (the grid cell less the header). */
  chartHeight: number;
  /** Wall mode: larger type, a fixed refresh. */
  wall?: { refreshMs: number } | undefined;
  /** Edit controls at the header's end. */
  actions?: ReactNode;
}

const AGGREGATION_WORDS: Record<string, string> = {
  avg: 'mean',
  min: 'min',
  max: 'max',
  sum: 'sum',
  count: 'samples',
  p50: 'p50',
  p90: 'p90',
  p99: 'p99',
};

/**
 * One panel: its fleet query runs only while the panel is in view, and it says which nodes
 * answered — a node that did not is named under the chart, its series absent, never dropped silently.
 */
export function DashboardPanel({ panel, variables, range, chartHeight, wall, actions }: DashboardPanelProps) {
  const { ref, inView } = useInView<HTMLDivElement>();
  const consoleRefetch = useRefetchInterval();
  const query = useQuery({
    ...panelQueryOptions(panel, variables, range),
    enabled: inView,
    refetchInterval: inView ? (wall?.refreshMs ?? consoleRefetch) : false,
    placeholderData: keepPreviousData,
  });
  const answer = query.data;
  const summary = `${panel.query.metric} · ${AGGREGATION_WORDS[panel.query.aggregation] ?? panel.query.aggregation}${answer ? ` · ${answer.devices} devices` : ''}`;
  return (
    <div ref={ref} className="dashboard-panel" data-testid="dashboard-panel" data-panel-kind={panel.kind}>
      <FanOutPanel
        title={panel.title}
        headingLevel={2}
        query={query}
        coverage={answer?.coverage}
        summary={summary}
        actions={actions}
        isEmpty={answer !== undefined && answer.series.length === 0}
        emptyTitle="No samples"
        emptyText="No device in this selection sent this metric in the range."
      >
        {answer && (
          <>
            <PanelBody panel={panel} answer={answer} chartHeight={chartHeight} large={wall !== undefined} />
            <MissingNodes answer={answer} />
          </>
        )}
      </FanOutPanel>
    </div>
  );
}

/** The nodes that did not answer, named in the panel itself: on a wall nobody opens a badge. */
function MissingNodes({ answer }: { answer: FleetMetricAnswer }) {
  const summary = summarizeCoverage(answer.coverage);
  if (!summary.partial) return null;
  return (
    <p className="panel-missing" role="status" data-testid="panel-missing-nodes">
      ⚠ Missing: {summary.problems.join(', ')} — their series are not in this panel.
    </p>
  );
}

function PanelBody({
  panel,
  answer,
  chartHeight,
  large,
}: {
  panel: Panel;
  answer: FleetMetricAnswer;
  chartHeight: number;
  large: boolean;
}) {
  const theme = useChartTheme();
  const option = useMemo(() => {
    const input = { answer, theme, unit: panel.unit, large };
    if (panel.kind === 'timeseries') return timeSeriesOptions(input);
    if (panel.kind === 'bar') return barOptions(input);
    if (panel.kind === 'heatmap') return heatmapOptions(input);
    return undefined;
  }, [panel.kind, panel.unit, answer, theme, large]);
  if (panel.kind === 'stat') return <StatBody panel={panel} answer={answer} />;
  if (panel.kind === 'table') return <TableBody panel={panel} answer={answer} />;
  if (!option) return null;
  return (
    <>
      <EChart option={option} label={`${panel.title}: chart`} height={chartHeight} />
      {/* What the canvas draws, for screen readers: each series and its figure over the range. */}
      <ul className="visually-hidden" data-testid="panel-series">
        {answer.series.map((series) => (
          <li key={series.key}>
            {series.key || 'all'}: {formatValue(series.total)}
          </li>
        ))}
      </ul>
    </>
  );
}

function StatBody({ panel, answer }: { panel: Panel; answer: FleetMetricAnswer }) {
  const value = statValue(answer);
  if (value === undefined) return null;
  const level = thresholdLevel(panel.thresholds, value);
  return (
    <div className="panel-stat" data-level={level} data-testid="panel-stat">
      <span className="panel-stat-value">{formatValue(value)}</span>
      {panel.unit && <span className="panel-stat-unit">{panel.unit}</span>}
      <span className="panel-stat-level">
        {level === 'ok' ? 'OK' : level === 'warning' ? 'Warning' : 'Critical'}
      </span>
    </div>
  );
}

function TableBody({ panel, answer }: { panel: Panel; answer: FleetMetricAnswer }) {
  const unit = panel.unit ? ` (${panel.unit})` : '';
  return (
    <div className="panel-table">
      <table>
        <thead>
          <tr>
            <th scope="col">{answer.groupBy.by === 'top' ? 'Device' : 'Series'}</th>
            <th scope="col" className="num">
              Range{unit}
            </th>
            <th scope="col" className="num">
              Latest{unit}
            </th>
          </tr>
        </thead>
        <tbody>
          {tableRows(answer).map((row) => (
            <tr key={row.name}>
              <td className="mono">{row.name}</td>
              <td className="num">{formatValue(row.total)}</td>
              <td className="num" title={row.at === undefined ? undefined : formatTimestamp(row.at)}>
                {row.latest === undefined ? '—' : formatValue(row.latest)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
