import { queryOptions } from '@tanstack/react-query';
import type { Panel } from '@tierscope/shared/schemas';
import { api } from '../../lib/trpc.ts';
import { resolveRange, type RangeSelection } from '../../lib/time-range.ts';
import { fleetInputOf, type DashboardVariables } from './panel-query.ts';

export const dashboardListQueryOptions = () =>
  queryOptions({
    queryKey: ['console.dashboards.list'],
    queryFn: ({ signal }) => api.console.dashboards.list.query(undefined, { signal }),
  });

export const dashboardQueryOptions = (id: number) =>
  queryOptions({
    queryKey: ['console.dashboards.get', id],
    queryFn: ({ signal }) => api.console.dashboards.get.query({ id }, { signal }),
  });

/**
 * A panel's fleet query. A range ending now is resolved when the query runs, so every refresh
 * moves the window; the key holds only what the panel asks, so moving a panel asks nothing again.
 */
export const panelQueryOptions = (
  panel: Pick<Panel, 'kind' | 'query'>,
  variables: DashboardVariables,
  selection: RangeSelection,
) =>
  queryOptions({
    queryKey: ['metrics.fleet', panel.kind === 'stat', panel.query, variables, selection],
    queryFn: ({ signal }) =>
      api.metrics.fleet.query(fleetInputOf(panel, variables, resolveRange(selection, new Date())), {
        signal,
      }),
  });
