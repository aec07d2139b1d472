import { getRouteApi } from '@tanstack/react-router';
import { useCallback } from 'react';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { DashboardPage } from '../../features/dashboards/dashboard-page.tsx';
import { dashboardIdOf, type DashboardSearch } from '../../features/dashboards/dashboard-search.ts';

const route = getRouteApi('/dashboards/$id');

/** `/dashboards/7?range=24h&site=s01&kind=pump&node=district-1`: the time range and variables live in the URL. */
export function DashboardRoute() {
  const { id } = route.useParams();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const onSearch = useCallback(
    (next: Partial<DashboardSearch>) =>
      void navigate({ search: (prev) => ({ ...prev, ...next }), replace: true }),
    [navigate],
  );
  const dashboardId = dashboardIdOf(id);
  if (dashboardId === undefined)
    return (
      <ErrorNotice error={new Error(`No dashboard "${id}": a dashboard's address ends in its number.`)} />
    );
  return <DashboardPage id={dashboardId} search={search} onSearch={onSearch} />;
}
