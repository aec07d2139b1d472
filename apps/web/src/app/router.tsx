import {
  createRootRoute,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
  useMatch,
} from '@tanstack/react-router';
import { ensureSession, getSession, safeRedirect, sessionForPage } from '../lib/session.ts';
import { parsePlainSearch, searchKeys, stringifyPlainSearch } from '../lib/url-search.ts';
import { NotFoundRoute, RouteError, RouteLoading } from './route-states.tsx';
import { ConsoleShell } from './shell.tsx';

// Every page but /login needs a session (asked of /auth/me once per tab); a user who must choose a
// new password does that first. Offline, the shell opens anyway and the first answer decides.
const rootRoute = createRootRoute({
  beforeLoad: async ({ location }): Promise<void> => {
    if (isLoginPath(location.pathname)) return;
    const session = getSession() ?? (await sessionForPage());
    if (session === 'unreachable') return;
    if (!session || session.user.mustChangePassword) redirectTo(loginHref(location.href));
  },
  component: RootLayout,
  notFoundComponent: NotFoundRoute,
});

/** The login page stands alone; every other page is in the console's shell, with its live connections. */
function RootLayout() {
  const login = useMatch({ from: '/login', shouldThrow: false });
  return login ? <Outlet /> : <ConsoleShell />;
}

/** Ends a `beforeLoad` by sending the browser to `href` instead. */
function redirectTo(href: string): never {
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- TanStack Router's redirects are thrown.
  throw redirect({ href });
}

const isLoginPath = (pathname: string) => /^\/login\/?$/.test(pathname);

/** The login page, to come back to `href` afterwards. */
const loginHref = (href: string) => `/login${stringifyPlainSearch({ redirect: href })}`;

/** Spelled out: with `searchKeys` the router's types lost this route's search (inferred `{}`). */
function loginSearch(search: Record<string, unknown>): { redirect?: string } {
  return typeof search.redirect === 'string' && search.redirect !== '' ? { redirect: search.redirect } : {};
}

async function leaveLoginWhenSignedIn(target: string | undefined): Promise<void> {
  // Unreachable server: the form says so when the user tries to log in.
  const session = await ensureSession().catch(() => null);
  if (session && !session.user.mustChangePassword) redirectTo(safeRedirect(target));
}

/** `/login?redirect=/alerts`: where the user was going; a signed-in visitor goes straight there. */
const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/login',
  validateSearch: loginSearch,
  beforeLoad: ({ search }) => leaveLoginWhenSignedIn(search.redirect),
  component: lazyRouteComponent(() => import('./routes/login.tsx'), 'LoginRoute'),
});

// Every page is its own chunk: the first route loads only its own code, and ECharts only with charts.
// Routes know only their query keys; pages check the values (zod stays out of the entry chunk).
const overviewRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  component: lazyRouteComponent(() => import('./routes/overview.tsx'), 'OverviewRoute'),
});

const devicesRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/devices',
  validateSearch: searchKeys(['q', 'status', 'label', 'node']),
  component: lazyRouteComponent(() => import('./routes/devices.tsx'), 'DevicesRoute'),
});

const deviceRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/devices/$deviceId',
  validateSearch: searchKeys(['node', 'range', 'from', 'to']),
  component: lazyRouteComponent(() => import('./routes/device.tsx'), 'DeviceRoute'),
});

const eventsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/events',
  validateSearch: searchKeys(['q', 'severity', 'range', 'from', 'to']),
  component: lazyRouteComponent(() => import('./routes/events.tsx'), 'EventsRoute'),
});

const alertsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/alerts',
  validateSearch: searchKeys(['state', 'severity', 'node', 'device', 'q']),
  component: lazyRouteComponent(() => import('./routes/alerts.tsx'), 'AlertsRoute'),
});

/** `/reports?period=30d&group=site&node=district-1`: every user's report, within their scope. */
const reportsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/reports',
  validateSearch: searchKeys(['period', 'from', 'to', 'group', 'node']),
  component: lazyRouteComponent(() => import('./routes/reports.tsx'), 'ReportsRoute'),
});

/** Dashboards operators build; each one's range and variables are in its URL (docs/decisions/0035). */
const dashboardsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/dashboards',
  component: lazyRouteComponent(() => import('./routes/dashboards.tsx'), 'DashboardsRoute'),
});

const dashboardRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/dashboards/$id',
  validateSearch: searchKeys(['range', 'from', 'to', 'site', 'kind', 'node']),
  component: lazyRouteComponent(() => import('./routes/dashboard.tsx'), 'DashboardRoute'),
});

/** The wall: the shell's chrome hidden, `?rotate=3,7&every=30` to move through dashboards. */
const dashboardWallRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/dashboards/$id/wall',
  validateSearch: searchKeys(['range', 'from', 'to', 'site', 'kind', 'node', 'rotate', 'every']),
  component: lazyRouteComponent(() => import('./routes/dashboard-wall.tsx'), 'DashboardWallRoute'),
});

/** `/nodes/district-1/probe-a`: the splat is the node path; `/nodes` is the whole fleet. */
const nodeRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/nodes/$',
  component: lazyRouteComponent(() => import('./routes/node.tsx'), 'NodeRoute'),
});

/** Everyone signed in reads the fleet's policy; only admins are offered its edit controls. */
const policyRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/policy',
  validateSearch: searchKeys(['compare']),
  component: lazyRouteComponent(() => import('./routes/policy.tsx'), 'PolicyRoute'),
});

/** The signed-in user's own sessions (anyone) and password. */
const sessionsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/account/sessions',
  component: lazyRouteComponent(() => import('./routes/sessions.tsx'), 'SessionsRoute'),
});

const notificationsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/account/notifications',
  component: lazyRouteComponent(() => import('./routes/notifications.tsx'), 'NotificationsRoute'),
});

const passwordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/account/password',
  component: lazyRouteComponent(() => import('./routes/password.tsx'), 'PasswordRoute'),
});

/** Admin pages: the layout refuses anyone else before a page asks the server anything. */
const adminRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/admin',
  // Admin code loads only when an admin page is opened, never with a first route.
  component: lazyRouteComponent(() => import('./admin-layout.tsx'), 'AdminLayout'),
});

const adminIndexRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: '/',
  beforeLoad: () => redirectTo('/admin/users'),
});

const usersRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: '/users',
  component: lazyRouteComponent(() => import('./routes/users.tsx'), 'UsersRoute'),
});

const auditRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: '/audit',
  validateSearch: searchKeys(['actor', 'action', 'target', 'range', 'from', 'to']),
  component: lazyRouteComponent(() => import('./routes/audit.tsx'), 'AuditRoute'),
});

const nodeTokensRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: '/node-tokens',
  component: lazyRouteComponent(() => import('./routes/node-tokens.tsx'), 'NodeTokensRoute'),
});

const reportSchedulesRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: '/reports',
  component: lazyRouteComponent(() => import('./routes/report-schedules.tsx'), 'ReportSchedulesRoute'),
});

const routeTree = rootRoute.addChildren([
  loginRoute,
  overviewRoute,
  alertsRoute,
  devicesRoute,
  deviceRoute,
  eventsRoute,
  nodeRoute,
  reportsRoute,
  dashboardsRoute,
  dashboardRoute,
  dashboardWallRoute,
  policyRoute,
  sessionsRoute,
  notificationsRoute,
  passwordRoute,
  adminRoute.addChildren([adminIndexRoute, usersRoute, auditRoute, nodeTokensRoute, reportSchedulesRoute]),
]);

export const router = createRouter({
  routeTree,
  parseSearch: parsePlainSearch,
  stringifySearch: stringifyPlainSearch,
  defaultPreload: 'intent',
  defaultPendingComponent: RouteLoading,
  defaultErrorComponent: RouteError,
  scrollRestoration: true,
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
