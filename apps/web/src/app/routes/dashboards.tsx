import { DashboardListPage } from '../../features/dashboards/dashboard-list-page.tsx';

export function DashboardsRoute() {
  return <DashboardListPage />;
}
