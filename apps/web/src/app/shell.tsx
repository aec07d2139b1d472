import { Link, Outlet } from '@tanstack/react-router';
import { useId } from 'react';
import { CriticalBadge, useAlertNotifier } from '../features/alerts/alert-notifier.tsx';
import { AlertStreamProvider } from '../features/alerts/alert-stream.tsx';
import { SessionExpiryNotice } from '../features/auth/session-expiry-notice.tsx';
import { UserMenu } from '../features/auth/user-menu.tsx';
import { useSessionGuard } from '../features/auth/use-session-guard.ts';
import { describeError } from '../lib/errors.ts';
import { NodeWatchProvider, useWatchState } from '../lib/node-watch.tsx';
import { REFRESH_OPTIONS, useRefreshInterval } from '../lib/refresh-interval.tsx';
import { useRoleAllows } from '../lib/session.ts';
import {
  AdminIcon,
  AlertsIcon,
  DashboardsIcon,
  DevicesIcon,
  EventsIcon,
  LogoIcon,
  NodesIcon,
  OverviewIcon,
  PolicyIcon,
  ReportIcon,
} from './icons.tsx';

/**
 * The console once signed in: the live connections (node tree, alert stream) open only here, so
 * the login page asks the server nothing, and they close with the session.
 */
export function ConsoleShell() {
  useSessionGuard();
  return (
    <NodeWatchProvider>
      <AlertStreamProvider>
        <Shell />
      </AlertStreamProvider>
    </NodeWatchProvider>
  );
}

/**
 * The frame of every page: skip link, header with navigation and live controls, main landmark.
 * Firing critical alerts are counted in the tab's title and beside "Alerts" on every page.
 */
function Shell() {
  const critical = useAlertNotifier();
  const admin = useRoleAllows('admin');
  return (
    <div className="shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Tierscope overview">
          <LogoIcon />
          <span className="brand-name">Tierscope</span>
        </Link>
        <nav className="nav" aria-label="Main">
          <Link to="/" activeOptions={{ exact: true }}>
            <OverviewIcon />
            Overview
          </Link>
          <Link to="/alerts">
            <AlertsIcon />
            Alerts
            <CriticalBadge count={critical} />
          </Link>
          <Link to="/devices">
            <DevicesIcon />
            Devices
          </Link>
          <Link to="/events">
            <EventsIcon />
            Events
          </Link>
          <Link to="/nodes/$" params={{ _splat: '' }}>
            <NodesIcon />
            Nodes
          </Link>
          {/* Not in a phone's tab bar, where seven tabs already share the width: the user menu has it. */}
          <Link to="/reports" className="nav-wide-only">
            <ReportIcon />
            Report
          </Link>
          <Link to="/dashboards" className="nav-wide-only">
            <DashboardsIcon />
            Dashboards
          </Link>
          <Link to="/policy">
            <PolicyIcon />
            Policy
          </Link>
          {admin && (
            <Link to="/admin">
              <AdminIcon />
              Admin
            </Link>
          )}
        </nav>
        <div className="topbar-tools">
          <LiveIndicator />
          <RefreshControl />
          <UserMenu />
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <SessionExpiryNotice />
        <Outlet />
      </main>
    </div>
  );
}

const WATCH_TEXT = {
  live: 'Live',
  connecting: 'Connecting…',
  paused: 'Paused',
  error: 'Disconnected',
} as const;

/** Whether the console's live connection (node.watch) is up; says why when it is not. */
function LiveIndicator() {
  const state = useWatchState();
  const error = 'error' in state && state.error ? describeError(state.error).detail : undefined;
  return (
    <span
      className="live-indicator"
      data-state={state.kind}
      role="status"
      title={error ?? WATCH_TEXT[state.kind]}
    >
      <span className="live-text">{WATCH_TEXT[state.kind]}</span>
      <span className="visually-hidden">{error ? `: ${error}` : ''}</span>
    </span>
  );
}

function RefreshControl() {
  const { refreshMs, setRefreshMs } = useRefreshInterval();
  const id = useId();
  return (
    <>
      <label htmlFor={id} className="visually-hidden">
        Refresh interval
      </label>
      <select
        id={id}
        className="select"
        value={refreshMs}
        onChange={(e) => setRefreshMs(Number(e.target.value))}
      >
        {REFRESH_OPTIONS.map((option) => (
          <option key={option.ms} value={option.ms}>
            {option.label}
          </option>
        ))}
      </select>
    </>
  );
}
