import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { DeviceCountsTile } from './device-counts.tsx';

describe('DeviceCountsTile', () => {
  it('shows the total and each status the server counted', () => {
    render(
      <DeviceCountsTile
        counts={{
          total: 1280,
          byStatus: { online: 1200, offline: 80, unknown: 0 },
          coverage: { asked: 2, answered: 2, nodes: [] },
        }}
      />,
    );
    expect(screen.getByTestId('devices-total').textContent).toBe('1,280');
    expect(screen.getByTestId('kpi-devices').textContent).toContain('1,200 online · 80 offline');
    expect(screen.getByTestId('kpi-devices').textContent).not.toContain('not yet heard');
  });

  it('reads every figure as a lower bound when a node did not answer', () => {
    render(
      <DeviceCountsTile
        counts={{
          total: 70,
          byStatus: { online: 60, offline: 5, unknown: 5 },
          coverage: { asked: 2, answered: 1, nodes: [] },
        }}
      />,
    );
    expect(screen.getByTestId('devices-total').textContent).toMatch(/^≥ 70/);
    expect(screen.getByTestId('kpi-devices').textContent).toContain('some nodes not counted');
  });
});
