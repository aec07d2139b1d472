import { createRootRoute, createRoute, createRouter, lazyRouteComponent } from '@tanstack/react-router';
import { parsePlainSearch, searchKeys, stringifyPlainSearch } from '../lib/url-search.ts';
import { NotFoundRoute, RouteError, RouteLoading } from './route-states.tsx';
import { Shell } from './shell.tsx';

// Every page is its own chunk: the first route loads only its own code, and ECharts only with charts.
// Routes know only their query keys; pages check the values (zod stays out of the entry chunk).
const rootRoute = createRootRoute({ component: Shell, notFoundComponent: NotFoundRoute });

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

/** `/nodes/district-1/probe-a`: the splat is the node path; `/nodes` is the whole fleet. */
const nodeRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/nodes/$',
  component: lazyRouteComponent(() => import('./routes/node.tsx'), 'NodeRoute'),
});

const routeTree = rootRoute.addChildren([
  overviewRoute,
  alertsRoute,
  devicesRoute,
  deviceRoute,
  eventsRoute,
  nodeRoute,
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
