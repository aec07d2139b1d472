import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { CoverageBadge } from './coverage-badge.tsx';
import { Count } from './count.tsx';

describe('CoverageBadge', () => {
  it('says every node answered', () => {
    render(
      <CoverageBadge
        coverage={{
          asked: 2,
          answered: 2,
          nodes: [
            { path: 'a', state: 'ok', latencyMs: 3 },
            { path: 'b', state: 'ok', latencyMs: 5 },
          ],
        }}
      />,
    );
    const badge = screen.getByTestId('coverage-badge');
    expect(badge.dataset.state).toBe('complete');
    expect(within(badge).getByText('2 of 2 nodes')).toBeTruthy();
  });

  it('names the node that timed out and lists every node with its state', () => {
    render(
      <CoverageBadge
        coverage={{
          asked: 3,
          answered: 2,
          nodes: [
            { path: 'district-1/probe-a', state: 'ok', latencyMs: 8.4 },
            { path: 'district-1/probe-b', state: 'timeout', latencyMs: 1500 },
            { path: 'probe-d', state: 'ok', latencyMs: 20 },
          ],
        }}
      />,
    );
    const badge = screen.getByTestId('coverage-badge');
    expect(badge.dataset.state).toBe('partial');
    expect(within(badge).getByText('2 of 3 nodes; probe-b timed out')).toBeTruthy();
    expect(within(badge).getByText(/totals are lower bounds/)).toBeTruthy();
    const rows = within(badge).getAllByRole('row').slice(1);
    expect(rows.map((row) => row.textContent)).toEqual([
      'district-1/probe-aanswered8 ms',
      'district-1/probe-btimed out—',
      'probe-danswered20 ms',
    ]);
  });
});

describe('Count', () => {
  it('reads a partial total as a lower bound, for screen readers too', () => {
    const { container } = render(<Count value={1234} lowerBound />);
    expect(container.textContent).toBe('≥ 1,234 (at least; some nodes did not answer)');
  });

  it('reads a complete total plainly', () => {
    const { container } = render(<Count value={1234} />);
    expect(container.textContent).toBe('1,234');
  });
});
