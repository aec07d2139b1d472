import { getRouteApi } from '@tanstack/react-router';
import { useCallback } from 'react';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { dashboardIdOf } from '../../features/dashboards/dashboard-search.ts';
import { WallPage } from '../../features/dashboards/wall-page.tsx';

const route = getRouteApi('/dashboards/$id/wall');

/** `/dashboards/7/wall?rotate=7,9&every=30`: the wall, moving through the listed dashboards. */
export function DashboardWallRoute() {
  const { id } = route.useParams();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const onShow = useCallback(
    (next: number) =>
      void navigate({ to: '/dashboards/$id/wall', params: { id: String(next) }, search: (prev) => prev }),
    [navigate],
  );
  const dashboardId = dashboardIdOf(id);
  if (dashboardId === undefined)
    return (
      <ErrorNotice error={new Error(`No dashboard "${id}": a dashboard's address ends in its number.`)} />
    );
  return <WallPage id={dashboardId} search={search} onShow={onShow} />;
}
