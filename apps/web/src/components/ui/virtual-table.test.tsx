import { render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { VirtualTable, type Column } from './virtual-table.tsx';

interface Row {
  id: string;
  name: string;
}

const rows: Row[] = Array.from({ length: 5000 }, (_, i) => ({ id: `d${i}`, name: `device ${i}` }));
const columns: Column<Row>[] = [
  { id: 'name', header: 'Device', width: '1fr', cell: (row) => row.name },
  { id: 'id', header: 'Id', width: '100px', narrow: 'hide', cell: (row) => row.id },
];
const narrow = { rowHeight: 72, columns: '1fr', areas: "'name'" };

describe('VirtualTable', () => {
  it('renders only the rows in view, however many are loaded', () => {
    // happy-dom does no layout: give the scroll area the height it has on screen, 480 px (10 rows).
    vi.spyOn(HTMLElement.prototype, 'clientHeight', 'get').mockReturnValue(480);
    vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(800);
    render(
      <VirtualTable
        label="Devices"
        rows={rows}
        columns={columns}
        rowKey={(r) => r.id}
        rowHeight={48}
        narrow={narrow}
      />,
    );
    const table = screen.getByRole('table', { name: 'Devices' });
    const rendered = table.querySelectorAll('[role="row"]').length;
    expect(rendered).toBeGreaterThan(1);
    expect(rendered).toBeLessThan(60);
    expect(screen.getByText('device 0')).toBeTruthy();
    expect(screen.queryByText('device 4999')).toBeNull();
    vi.restoreAllMocks();
  });

  it('tells assistive technology the row count, or that it is unknown while more can load', () => {
    const { rerender } = render(
      <VirtualTable
        label="Devices"
        rows={rows.slice(0, 3)}
        columns={columns}
        rowKey={(r) => r.id}
        rowHeight={48}
        narrow={narrow}
      />,
    );
    expect(screen.getByRole('table').getAttribute('aria-rowcount')).toBe('4');
    rerender(
      <VirtualTable
        label="Devices"
        rows={rows.slice(0, 3)}
        columns={columns}
        rowKey={(r) => r.id}
        rowHeight={48}
        narrow={narrow}
        hasMore
        onLoadMore={() => undefined}
      />,
    );
    expect(screen.getByRole('table').getAttribute('aria-rowcount')).toBe('-1');
  });

  it('asks for the next page when the last loaded rows are in view, once per load', () => {
    const onLoadMore = vi.fn();
    const { rerender } = render(
      <VirtualTable
        label="Devices"
        rows={rows.slice(0, 5)}
        columns={columns}
        rowKey={(r) => r.id}
        rowHeight={48}
        narrow={narrow}
        hasMore
        onLoadMore={onLoadMore}
      />,
    );
    expect(onLoadMore).toHaveBeenCalledTimes(1);
    rerender(
      <VirtualTable
        label="Devices"
        rows={rows.slice(0, 5)}
        columns={columns}
        rowKey={(r) => r.id}
        rowHeight={48}
        narrow={narrow}
        hasMore
        loadingMore
        onLoadMore={onLoadMore}
      />,
    );
    expect(onLoadMore).toHaveBeenCalledTimes(1);
  });
});
