import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query';
import type { Alert, AlertChange, AlertPage } from '@tierscope/shared/schemas';
import { act, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useAlertNotifier } from './alert-notifier.tsx';
import { liveAlertsQueryOptions, AlertStreamProvider, onNewCriticalAlerts } from './alert-stream.tsx';
import { selectAlerts } from './alert-store.ts';
import { makeAlert } from '../../testing/test-alerts.ts';

/** The stream's callbacks as the provider passed them, and what it subscribed with. */
interface Subscription {
  input: unknown;
  handlers: {
    onStarted: () => void;
    onData: (item: { id?: string; data: AlertChange }) => void;
    onConnectionStateChange: (state: { state: 'idle' | 'connecting' | 'pending'; error: unknown }) => void;
    onError: (error: unknown) => void;
  };
  closed: boolean;
}

const fake = vi.hoisted(() => ({
  subscriptions: [] as Subscription[],
  listAnswers: [] as Array<(page: AlertPage) => void>,
}));

vi.mock('../../lib/trpc.ts', () => ({
  api: {
    alerts: {
      watch: {
        subscribe: (input: unknown, handlers: Subscription['handlers']) => {
          const subscription: Subscription = { input, handlers, closed: false };
          fake.subscriptions.push(subscription);
          return { unsubscribe: () => (subscription.closed = true) };
        },
      },
      list: {
        query: () => new Promise<AlertPage>((resolve) => fake.listAnswers.push(resolve)),
      },
    },
  },
}));

const coverage = {
  asked: 1,
  answered: 1,
  nodes: [{ path: 'district-1/probe-a', state: 'ok' as const, latencyMs: 3 }],
};

function Rows() {
  const { data } = useQuery(liveAlertsQueryOptions());
  const critical = useAlertNotifier();
  return (
    <>
      <p data-testid="critical">{critical}</p>
      <ul>
        {selectAlerts(data, (a) => a.state !== 'resolved').map(({ alert }) => (
          <li key={alert.id}>
            {alert.id} {alert.state}
            {alert.ack && ` acked: ${alert.ack.note}`}
            {alert.stale && ' stale'}
          </li>
        ))}
      </ul>
    </>
  );
}

function renderStream() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <AlertStreamProvider>
        <Rows />
      </AlertStreamProvider>
    </QueryClientProvider>,
  );
  const stream = () => fake.subscriptions.filter((s) => !s.closed).at(-1)!;
  return {
    stream,
    send: (kind: AlertChange['kind'], alert: Alert, id?: string) =>
      act(() => stream().handlers.onData({ id, data: { kind, at: alert.updatedAt, alert } })),
    connect: () =>
      act(() => {
        stream().handlers.onStarted();
        stream().handlers.onConnectionStateChange({ state: 'pending', error: null });
      }),
  };
}

describe('AlertStreamProvider', () => {
  beforeEach(() => {
    fake.subscriptions.length = 0;
    fake.listAnswers.length = 0;
  });
  afterEach(() => {
    document.title = '';
  });

  it('reads the open list only once the stream is up, and merges both', async () => {
    const { send, connect } = renderStream();
    expect(fake.listAnswers).toHaveLength(0);
    send('fired', makeAlert({ id: 'from-stream' }), 'v1.1');
    await screen.findByText(/from-stream firing/);

    connect();
    await waitFor(() => expect(fake.listAnswers).toHaveLength(1));
    const mirrored = makeAlert({
      id: 'mirrored',
      nodePath: 'district-1/probe-c',
      stale: true,
      startedAt: 500,
    });
    act(() => fake.listAnswers[0]!({ items: [mirrored], nextCursor: null, coverage }));
    await screen.findByText(/mirrored firing stale/);
    expect(screen.getByText(/from-stream firing/)).toBeTruthy();
  });

  it('applies later changes in place: an ack, a resolution', async () => {
    const { send } = renderStream();
    const alert = makeAlert({ id: 'a' });
    send('fired', alert, 'v1.1');
    await screen.findByText('a firing');
    send('acked', { ...alert, updatedAt: 2000, ack: { by: 'ana', at: 2000, note: 'on it' } }, 'v1.2');
    await screen.findByText('a firing acked: on it');
    send('resolved', { ...alert, updatedAt: 3000, state: 'resolved', resolvedAt: 3000 }, 'v1.3');
    await waitFor(() => expect(screen.queryByText(/^a /)).toBeNull());
  });

  it('counts firing critical alerts in the tab title and announces the new ones', async () => {
    const heard: string[] = [];
    const stop = onNewCriticalAlerts((alerts) => heard.push(...alerts.map((a) => a.id)));
    const { send } = renderStream();
    // The open alerts a stream starts with are old news; one that fires now is not.
    send('fired', makeAlert({ id: 'old', startedAt: 1000, updatedAt: 1000 }));
    send(
      'fired',
      makeAlert({ id: 'warning', severity: 'warning', startedAt: Date.now(), updatedAt: Date.now() }),
    );
    send('fired', makeAlert({ id: 'new', startedAt: Date.now(), updatedAt: Date.now() }));
    await waitFor(() => expect(screen.getByTestId('critical').textContent).toBe('2'));
    expect(document.title).toBe('(2) Tierscope');
    expect(heard).toEqual(['new']);
    stop();
  });

  it('starts afresh after the stream fails for good: a new subscription, an empty store', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const { send, stream } = renderStream();
      send('fired', makeAlert({ id: 'before' }), 'v1.1');
      await vi.advanceTimersByTimeAsync(50);
      expect(screen.getByText('before firing')).toBeTruthy();
      act(() => stream().handlers.onError(new Error('BAD_REQUEST: lastEventId is not this node’s')));
      await act(() => vi.advanceTimersByTimeAsync(5_000));
      expect(fake.subscriptions).toHaveLength(2);
      expect(fake.subscriptions[1]!.input).toEqual({});
      await act(() => vi.advanceTimersByTimeAsync(50));
      expect(screen.queryByText('before firing')).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});
