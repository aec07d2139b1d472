import type { ReactNode } from 'react';

export interface ScrollTableColumn {
  header: ReactNode;
  numeric?: boolean;
}

/**
 * A plain table whose rows grow with their text, named by `label`. On a narrow screen it scrolls
 * sideways inside its own box (focusable, so keyboards can scroll it), never the page.
 */
export function ScrollTable({
  label,
  columns,
  children,
}: {
  label: string;
  columns: readonly ScrollTableColumn[];
  /** The body's rows. */
  children: ReactNode;
}) {
  return (
    <div className="table-scroll" role="region" aria-label={`${label}, scrollable`} tabIndex={0}>
      <table className="data-table">
        <caption className="visually-hidden">{label}</caption>
        <thead>
          <tr>
            {columns.map((column, index) => (
              <th key={index} scope="col" className={column.numeric ? 'num' : undefined}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
