import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import {
  createMemoryHistory,
  createRootRoute,
  createRoute,
  createRouter,
  Outlet,
  RouterProvider,
  useRouterState,
} from '@tanstack/react-router';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getSession, setSession } from '../../lib/session.ts';
import { EXPIRY_WARNING_MS, SessionExpiryNotice } from './session-expiry-notice.tsx';

const MINUTE = 60_000;

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  setSession(null);
});

function signInUntil(expiresAt: number) {
  setSession({
    user: { name: 'ana', role: 'operator', scope: ['**'], mustChangePassword: false },
    csrfToken: 'csrf',
    expiresAt,
  });
}

/** The notice above a devices page, and a login page that shows where it would send the user back. */
function renderOnDevicesPage() {
  const rootRoute = createRootRoute({
    component: () => (
      <>
        <SessionExpiryNotice />
        <Outlet />
      </>
    ),
  });
  const devices = createRoute({
    getParentRoute: () => rootRoute,
    path: '/devices',
    component: () => 'devices',
  });
  const login = createRoute({
    getParentRoute: () => rootRoute,
    path: '/login',
    component: function LoginPage() {
      const href = useRouterState({ select: (s) => s.location.href });
      return <p data-testid="login-page">{href}</p>;
    },
  });
  const router = createRouter({
    routeTree: rootRoute.addChildren([devices, login]),
    history: createMemoryHistory({ initialEntries: ['/devices?node=probe-a'] }),
  });
  render(
    <QueryClientProvider client={new QueryClient()}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
}

describe('SessionExpiryNotice', () => {
  it('says nothing while the session has more than its warning time left', async () => {
    signInUntil(Date.now() + EXPIRY_WARNING_MS + 5 * MINUTE);
    renderOnDevicesPage();
    await screen.findByText('devices');
    expect(screen.queryByTestId('session-expiry')).toBeNull();
  });

  it('appears by itself once the session enters its last minutes', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    signInUntil(Date.now() + EXPIRY_WARNING_MS + 10_000);
    renderOnDevicesPage();
    await screen.findByText('devices');
    expect(screen.queryByTestId('session-expiry')).toBeNull();
    await act(async () => {
      await vi.advanceTimersByTimeAsync(30_000);
    });
    expect(screen.getByTestId('session-expiry').textContent).toMatch(/Your session ends in 10 minutes/);
  });

  it('signs out and goes to the login page, which will send the user back here', async () => {
    const fetch = vi.fn(() => Promise.resolve(new Response(null, { status: 204 })));
    vi.stubGlobal('fetch', fetch);
    signInUntil(Date.now() + 3 * MINUTE);
    renderOnDevicesPage();
    const notice = await screen.findByTestId('session-expiry');
    expect(notice.textContent).toMatch(/Your session ends in 3 minutes/);
    fireEvent.click(screen.getByRole('button', { name: 'Sign in again' }));
    const login = await screen.findByTestId('login-page');
    expect(decodeURIComponent(login.textContent ?? '')).toContain('redirect=/devices?node=probe-a');
    expect(fetch).toHaveBeenCalledWith(expect.stringContaining('/auth/logout'), expect.anything());
    await waitFor(() => expect(getSession()).toBeNull());
  });
});
