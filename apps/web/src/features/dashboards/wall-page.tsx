import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { ErrorNotice, Skeleton } from '../../components/ui/notices.tsx';
import { setPageTitle } from '../../lib/document-title.ts';
import { useNow } from '../../lib/use-now.ts';
import { describeRange } from '../../lib/time-range.ts';
import { DashboardGrid } from './dashboard-grid.tsx';
import { DashboardPanel } from './dashboard-panel.tsx';
import { dashboardQueryOptions } from './dashboard-queries.ts';
import {
  nextInRotation,
  rangeOf,
  rotationOf,
  variablesOf,
  type DashboardSearch,
} from './dashboard-search.ts';

/** Taller rows on the wall: panels are read from across the room. */
const WALL_ROW_HEIGHT = 52;
/** The wall asks for the dashboard itself again this often, so an edit reaches it. */
const WALL_DASHBOARD_REFRESH_MS = 60_000;

export interface WallSearch extends DashboardSearch {
  rotate?: string | undefined;
  every?: string | undefined;
}

/**
 * The control room's view: dark, full screen (a click asks the browser for it), no controls,
 * large type, every panel refreshing on the dashboard's own interval and naming each node that
 * stopped answering. With `?rotate=` it moves through the listed dashboards in turn.
 */
export function WallPage({
  id,
  search,
  onShow,
}: {
  id: number;
  search: WallSearch;
  onShow: (id: number) => void;
}) {
  const rotation = useMemo(() => rotationOf(search, id), [search, id]);
  const query = useQuery({ ...dashboardQueryOptions(id), refetchInterval: WALL_DASHBOARD_REFRESH_MS });
  const now = useNow(1000);

  useEffect(() => {
    const root = document.documentElement;
    root.dataset.wall = 'true';
    // Browsers go full screen only on a gesture: a click on the wall asks for it.
    const fullScreen = () => {
      if (!document.fullscreenElement) void root.requestFullscreen().catch(() => undefined);
    };
    window.addEventListener('click', fullScreen);
    return () => {
      delete root.dataset.wall;
      window.removeEventListener('click', fullScreen);
    };
  }, []);
  useEffect(() => {
    if (rotation.ids.length < 2) return;
    const timer = window.setTimeout(() => onShow(nextInRotation(rotation, id)), rotation.everyMs);
    return () => window.clearTimeout(timer);
  }, [rotation, id, onShow]);
  const title = query.data?.document.title;
  useEffect(() => {
    if (title) setPageTitle(`${title} · wall`);
  }, [title]);

  if (query.status === 'pending') return <Skeleton label="dashboard" />;
  if (query.status === 'error')
    return <ErrorNotice error={query.error} onRetry={() => void query.refetch()} />;
  const { document: dashboard } = query.data;
  const range = rangeOf(search, dashboard.range);
  const variables = variablesOf(search);
  return (
    <div className="wall" data-testid="wall">
      <header className="wall-header">
        <h1>{dashboard.title}</h1>
        <p>
          {describeRange(range)}
          {[variables.site, variables.kind, variables.node].filter(Boolean).map((v) => ` · ${v}`)}
          {rotation.ids.length > 1 && ` · ${rotation.ids.indexOf(id) + 1} of ${rotation.ids.length}`}
        </p>
        <time className="wall-clock" dateTime={new Date(now).toISOString()}>
          {new Date(now).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
        </time>
      </header>
      <DashboardGrid
        panels={dashboard.panels}
        editing={false}
        rowHeight={WALL_ROW_HEIGHT}
        onLayout={() => undefined}
        renderPanel={(panel, chartHeight) => (
          <DashboardPanel
            panel={panel}
            variables={variables}
            range={range}
            chartHeight={chartHeight}
            wall={{ refreshMs: dashboard.refreshSeconds * 1000 }}
          />
        )}
      />
    </div>
  );
}
