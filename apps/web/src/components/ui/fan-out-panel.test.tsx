import { fireEvent, render, screen } from '@testing-library/react';
import { TRPCClientError } from '@trpc/client';
import { describe, expect, it, vi } from 'vitest';
import { RefreshIntervalProvider } from '../../lib/refresh-interval.tsx';
import { FanOutPanel, type PanelQuery } from './fan-out-panel.tsx';

const query = (overrides: Partial<PanelQuery>): PanelQuery => ({
  status: 'success',
  error: null,
  dataUpdatedAt: Date.now(),
  refetch: () => undefined,
  ...overrides,
});

function renderPanel(props: Partial<Parameters<typeof FanOutPanel>[0]>) {
  return render(
    <RefreshIntervalProvider>
      <FanOutPanel title="Devices" query={query({})} {...props}>
        <p>the rows</p>
      </FanOutPanel>
    </RefreshIntervalProvider>,
  );
}

describe('FanOutPanel', () => {
  it('shows a loading state before the first answer, not the content', () => {
    renderPanel({ query: query({ status: 'pending', dataUpdatedAt: 0 }) });
    expect(screen.getByRole('region', { name: 'Devices' }).getAttribute('aria-busy')).toBe('true');
    expect(screen.getByText('Loading devices…')).toBeTruthy();
    expect(screen.queryByText('the rows')).toBeNull();
  });

  it('shows the error with the server message and a retry, never an empty table', () => {
    const refetch = vi.fn();
    const error = new TRPCClientError('node probe-d is unreachable: connect ECONNREFUSED');
    renderPanel({ query: query({ status: 'error', error, dataUpdatedAt: 0, refetch }) });
    expect(screen.getByRole('alert').textContent).toContain('node probe-d is unreachable');
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(refetch).toHaveBeenCalledOnce();
    expect(screen.queryByText('the rows')).toBeNull();
  });

  it('keeps the last good data under a failed refresh and says how old it is', () => {
    const error = new TRPCClientError('fetch failed');
    renderPanel({ query: query({ status: 'error', error, dataUpdatedAt: Date.now() - 120_000 }) });
    expect(screen.getByText('the rows')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toContain('Showing the last answer, from 2 minutes ago.');
    expect(screen.getByTestId('data-age').textContent).toBe('data 2 minutes old');
  });

  it('shows no age while the data is fresh', () => {
    renderPanel({});
    expect(screen.queryByTestId('data-age')).toBeNull();
  });

  it('shows the designed empty state', () => {
    renderPanel({ isEmpty: true, emptyTitle: 'No devices match', emptyText: 'Try fewer filters.' });
    expect(screen.getByText('No devices match')).toBeTruthy();
    expect(screen.queryByText('the rows')).toBeNull();
  });

  it('carries the coverage badge of a partial answer', () => {
    renderPanel({
      coverage: { asked: 2, answered: 1, nodes: [{ path: 'probe-d', state: 'unreachable', latencyMs: 0 }] },
    });
    expect(screen.getByText('1 of 2 nodes; probe-d unreachable')).toBeTruthy();
  });
});
