import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import { createMemoryHistory, createRootRoute, createRouter, RouterProvider } from '@tanstack/react-router';
import type { Alert } from '@tierscope/shared/schemas';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { setSession, type SessionUser } from '../../lib/session.ts';
import { parsePlainSearch, stringifyPlainSearch } from '../../lib/url-search.ts';
import { AlertList } from './alert-list.tsx';
import { liveAlertsQueryOptions } from './alert-stream.tsx';
import { EMPTY_LIVE_ALERTS, mergeAlerts, selectAlerts } from './alert-store.ts';
import { makeAlert } from '../../testing/test-alerts.ts';

const api = vi.hoisted(() => ({
  ack: vi.fn(),
  createSilence: vi.fn(),
}));

vi.mock('../../lib/trpc.ts', () => ({
  api: {
    node: { info: { query: () => new Promise(() => undefined) } },
    silences: {
      list: {
        query: async () => ({ items: [], nextCursor: null, coverage: { asked: 0, answered: 0, nodes: [] } }),
      },
      create: { mutate: api.createSilence },
      expire: { mutate: vi.fn() },
    },
    alerts: { ack: { mutate: api.ack }, unack: { mutate: vi.fn() } },
  },
}));

/** The list as a page shows it: whatever the live store holds, in order. */
function LiveList() {
  const { data } = useQuery(liveAlertsQueryOptions());
  return <AlertList entries={selectAlerts(data, () => true)} label="Open alerts" />;
}

function renderList(alerts: Alert[]) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  client.setQueryData(liveAlertsQueryOptions().queryKey, mergeAlerts(EMPTY_LIVE_ALERTS, alerts));
  const router = createRouter({
    routeTree: createRootRoute({ component: LiveList }),
    history: createMemoryHistory({ initialEntries: ['/alerts'] }),
    parseSearch: parsePlainSearch,
    stringifySearch: stringifyPlainSearch,
  });
  render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
}

function signInAs(role: SessionUser['role']) {
  setSession({
    user: { name: 'ana', role, scope: ['**'], mustChangePassword: false },
    csrfToken: 'csrf',
    expiresAt: Date.now() + 3_600_000,
  });
}

describe('AlertList', () => {
  beforeEach(() => {
    api.ack.mockReset();
    api.createSilence.mockReset();
    signInAs('operator');
  });

  it('links the device on its owning node, and marks a stale copy and an ack', async () => {
    renderList([
      makeAlert({
        nodePath: 'district-1/probe-c',
        deviceId: 'pump-1',
        stale: true,
        updatedAt: Date.now() - 120_000,
        ack: { by: 'ana', at: Date.now() - 60_000, note: 'crew on site' },
      }),
    ]);
    const row = await screen.findByTestId('alert-row');
    expect(within(row).getByRole('link', { name: 'pump-1' }).getAttribute('href')).toBe(
      '/devices/pump-1?node=district-1/probe-c',
    );
    expect(within(row).getByRole('link', { name: 'district-1/probe-c' }).getAttribute('href')).toBe(
      '/nodes/district-1/probe-c',
    );
    expect(within(row).getByTestId('alert-stale').textContent).toMatch(/^Stale · last known 2 minutes ago/);
    expect(within(row).getByTestId('alert-ack').textContent).toMatch(/by ana 1 minute ago.*crew on site/);
    expect(within(row).getByRole('button', { name: 'Unack Motor too hot on pump-1' })).toBeTruthy();
  });

  it('acks at the alert’s owner with the note, and shows the answer at once', async () => {
    const alert = makeAlert({ nodePath: 'district-1/probe-a', id: 'hot:pump-1:1000' });
    api.ack.mockResolvedValue({ ...alert, updatedAt: 5000, ack: { by: 'console', at: 5000, note: 'on it' } });
    renderList([alert]);
    fireEvent.click(await screen.findByRole('button', { name: 'Ack Motor too hot on pump-1' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'Note (optional)' }), {
      target: { value: ' on it ' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Ack alert' }));
    await waitFor(() => expect(screen.getByTestId('alert-ack').textContent).toContain('on it'));
    expect(api.ack).toHaveBeenCalledWith({
      nodePath: 'district-1/probe-a',
      id: 'hot:pump-1:1000',
      note: 'on it',
    });
    expect(screen.queryByRole('form', { name: /^Ack/ })).toBeNull();
  });

  it('silences this rule on this device at its owner for the chosen time', async () => {
    api.createSilence.mockResolvedValue({});
    renderList([makeAlert({ nodePath: 'probe-d', deviceId: 'pump-1', ruleId: 'hot' })]);
    fireEvent.click(await screen.findByRole('button', { name: 'Silence Motor too hot on pump-1' }));
    const before = Date.now();
    fireEvent.click(screen.getByRole('button', { name: /^4 h\b/ }));
    await waitFor(() => expect(api.createSilence).toHaveBeenCalledOnce());
    const input = api.createSilence.mock.calls[0]![0] as { endsAt: number };
    expect(input).toMatchObject({
      nodePath: 'probe-d',
      matchers: { devicePattern: 'pump-1', ruleId: 'hot' },
    });
    expect(input.endsAt - before).toBeGreaterThanOrEqual(4 * 3600_000);
    expect(input.endsAt - before).toBeLessThan(4 * 3600_000 + 5_000);
  });

  it('offers no silence for a node alert, which has no device to match', async () => {
    renderList([
      makeAlert({
        deviceId: null,
        subjectPath: 'district-1/probe-c',
        ruleId: 'node-unreachable',
        ruleName: 'Node unreachable',
      }),
    ]);
    const row = await screen.findByTestId('alert-row');
    expect(
      within(row).getByRole('button', { name: 'Ack Node unreachable on district-1/probe-c' }),
    ).toBeTruthy();
    expect(within(row).queryByRole('button', { name: /^Silence/ })).toBeNull();
  });

  it('offers a viewer no ack, unack or silence, and still shows the ack', async () => {
    signInAs('viewer');
    renderList([
      makeAlert({ deviceId: 'pump-1' }),
      makeAlert({ id: 'hot:pump-1:2', ack: { by: 'ana', at: Date.now() - 60_000, note: 'crew on site' } }),
    ]);
    const rows = await screen.findAllByTestId('alert-row');
    expect(rows).toHaveLength(2);
    expect(screen.queryByRole('button', { name: /^(Ack|Unack|Silence) / })).toBeNull();
    expect(screen.getByTestId('alert-ack').textContent).toContain('crew on site');
  });
});
