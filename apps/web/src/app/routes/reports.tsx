import { useQuery } from '@tanstack/react-query';
import type { ReportFigures } from '@tierscope/shared/schemas';
import { getRouteApi } from '@tanstack/react-router';
import { useCallback, useMemo } from 'react';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { FilterBar, NodeFilter } from '../../components/ui/filter-fields.tsx';
import { PageHeader } from '../../components/ui/page-header.tsx';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { ReportPeriodPicker } from '../../features/reports/report-period-picker.tsx';
import { reportQueryOptions } from '../../features/reports/report-queries.ts';
import {
  describePeriod,
  parseReportSearch,
  periodToSearch,
  REPORT_GROUPINGS,
  reportPeriod,
  resolvePeriod,
  type ReportGrouping,
  type ReportPeriodSelection,
  type ReportSearch,
} from '../../features/reports/report-search.ts';
import { ReportView } from '../../features/reports/report-view.tsx';
import { useNodeTree } from '../../lib/node-watch.tsx';

const route = getRouteApi('/reports');

/**
 * The marker the BFF's PDF printer waits for (docs/decisions/0031): set once the figures for the
 * chosen period are in, carrying what the printed header and footer say.
 */
function reportReadyMarker(
  figures: ReportFigures,
  fetching: boolean,
  period: string,
  range: { from: number; to: number },
): Record<string, string> {
  if (fetching) return {};
  const { asked, answered } = figures.coverage;
  return {
    'data-report-ready': 'true',
    'data-report-period': period,
    'data-report-from': String(range.from),
    'data-report-to': String(range.to),
    'data-report-coverage': `${answered} of ${asked} nodes answered`,
  };
}

const GROUPING_BUTTONS: Record<ReportGrouping, string> = {
  node: 'By node',
  site: 'By site',
  kind: 'By kind',
};

/**
 * The fleet's report over a period — availability, data received, alerts and how fast they were
 * handled — for the whole fleet or one subtree, as the signed-in user may see it.
 */
export function ReportsRoute() {
  const rawSearch = route.useSearch();
  const search = useMemo(() => parseReportSearch(rawSearch), [rawSearch]);
  const navigate = route.useNavigate();
  const selection = reportPeriod(search);
  const grouping = search.group ?? 'node';
  // Rolling periods end at the next full hour: the key stays put while the hour lasts.
  const periodKey = describePeriod(selection);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the period's text names it; the object is new each render.
  const range = useMemo(() => resolvePeriod(selection, new Date()), [periodKey]);
  const query = useQuery({
    ...reportQueryOptions({ range: range ?? { from: 0, to: 1 }, nodePath: search.node }),
    enabled: range !== undefined,
  });
  const { rows: nodes } = useNodeTree();
  const setSearch = useCallback(
    (next: Partial<ReportSearch>) =>
      void navigate({ search: (prev) => ({ ...prev, ...next }), replace: true }),
    [navigate],
  );
  const setPeriod = useCallback(
    (next: ReportPeriodSelection) => setSearch(periodToSearch(next)),
    [setSearch],
  );
  const nodeOptions = useMemo(
    () => nodes.filter((n) => n.path !== '').map((n) => ({ path: n.path, label: n.path })),
    [nodes],
  );
  const csvHref =
    range &&
    `/export/report.csv?${new URLSearchParams({
      from: String(range.from),
      to: String(range.to),
      grouping,
      ...(search.node && { nodePath: search.node }),
    }).toString()}`;

  return (
    <>
      <PageHeader
        title="Report"
        subtitle={`${describePeriod(selection)} · ${search.node ? `${search.node} and below` : 'the whole fleet'}`}
        actions={<ReportPeriodPicker value={selection} onChange={setPeriod} />}
      />
      <FilterBar label="Report options">
        <div className="segmented" role="group" aria-label="Group by">
          {REPORT_GROUPINGS.map((option) => (
            <button
              key={option}
              type="button"
              className="button"
              aria-pressed={grouping === option}
              onClick={() => setSearch({ group: option })}
            >
              {GROUPING_BUTTONS[option]}
            </button>
          ))}
        </div>
        <NodeFilter nodes={nodeOptions} value={search.node} onChange={(node) => setSearch({ node })} />
        {csvHref && (
          <a className="button" href={csvHref} download>
            Download CSV
          </a>
        )}
      </FilterBar>
      {range === undefined ? (
        <ErrorNotice error={new Error('A report spans at most 400 days: pick a shorter period.')} />
      ) : (
        <FanOutPanel
          title="Figures"
          query={query}
          coverage={query.data?.coverage}
          summary={query.isPlaceholderData ? 'updating…' : undefined}
          testId="report-panel"
        >
          {query.data && (
            <div {...reportReadyMarker(query.data, query.isFetching, describePeriod(selection), range)}>
              <ReportView figures={query.data} grouping={grouping} />
            </div>
          )}
        </FanOutPanel>
      )}
    </>
  );
}
