import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type CSSProperties, type ReactNode } from 'react';
import { NARROW_QUERY, useMediaQuery } from '../../lib/use-media-query.ts';

export interface Column<Row> {
  id: string;
  header: string;
  /** The column's CSS grid track on wide screens, e.g. `minmax(0, 2fr)` or `110px`. */
  width: string;
  cell: (row: Row) => ReactNode;
  /** On narrow screens rows become two-line cards: hide this cell, or keep it (placed by `id` as grid area). */
  narrow?: 'hide' | 'show';
}

export interface VirtualTableProps<Row> {
  /** The table's accessible name. */
  label: string;
  rows: readonly Row[];
  columns: readonly Column<Row>[];
  rowKey: (row: Row) => string;
  rowHeight: number;
  /** Narrow screens: the row height, and the card layout as grid columns and areas named by column id. */
  narrow: { rowHeight: number; columns: string; areas: string };
  /** The scroll area's height (CSS). */
  height?: string;
  /** Server-side paging: asked for more when the last rows scroll into view. */
  hasMore?: boolean;
  loadingMore?: boolean;
  onLoadMore?: () => void;
  /** Left end of the footer: what is loaded, e.g. "200 devices loaded". */
  footer?: ReactNode;
}

/** Rows from the end at which the next page is asked for. */
const PREFETCH_ROWS = 15;

/**
 * A table that renders only the rows in view, so thousands of rows scroll smoothly, with ARIA
 * table semantics (row count and index) and infinite scroll through a server cursor.
 */
export function VirtualTable<Row>(props: VirtualTableProps<Row>) {
  const { rows, columns, hasMore = false, loadingMore = false, onLoadMore } = props;
  const narrow = useMediaQuery(NARROW_QUERY);
  const rowHeight = narrow ? props.narrow.rowHeight : props.rowHeight;
  const scrollRef = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the console is not built with the React Compiler.
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 12,
  });

  useEffect(() => virtualizer.measure(), [rowHeight, virtualizer]);

  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? -1;
  useEffect(() => {
    if (hasMore && !loadingMore && onLoadMore && lastIndex >= rows.length - PREFETCH_ROWS) onLoadMore();
  }, [hasMore, loadingMore, onLoadMore, lastIndex, rows.length]);

  const style = {
    '--vtable-columns': columns.map((c) => c.width).join(' '),
    '--vtable-columns-narrow': props.narrow.columns,
    '--vtable-areas-narrow': props.narrow.areas,
    '--vtable-height': props.height ?? 'min(560px, 70dvh)',
  } as CSSProperties;

  return (
    <div className="vtable" style={style}>
      {/* The scroll area is the table itself, so it is focusable for keyboard scrolling and named. */}
      <div
        ref={scrollRef}
        role="table"
        aria-label={props.label}
        aria-rowcount={hasMore ? -1 : rows.length + 1}
        className="vtable-scroll"
        tabIndex={0}
      >
        <div role="rowgroup" className="vtable-sticky">
          <div role="row" aria-rowindex={1} className="vtable-row vtable-head">
            {columns.map((column) => (
              <div key={column.id} role="columnheader">
                {column.header}
              </div>
            ))}
          </div>
        </div>
        <div role="rowgroup" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const row = rows[item.index]!;
            return (
              <div
                key={props.rowKey(row)}
                role="row"
                aria-rowindex={item.index + 2}
                className="vtable-row"
                style={{
                  position: 'absolute',
                  top: 0,
                  left: 0,
                  right: 0,
                  height: rowHeight,
                  transform: `translateY(${item.start}px)`,
                }}
              >
                {columns.map((column) => (
                  <div
                    key={column.id}
                    role="cell"
                    data-narrow={column.narrow ?? 'show'}
                    style={narrow ? { gridArea: column.id } : undefined}
                  >
                    {column.cell(row)}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
      <div className="vtable-foot">
        <span aria-live="polite">{props.footer}</span>
        {hasMore && onLoadMore && (
          <button type="button" className="button" onClick={onLoadMore} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        )}
      </div>
    </div>
  );
}
