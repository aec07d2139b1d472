import type { AuditEntry } from '@tierscope/shared/schemas';
import { VirtualTable, type Column } from '../../components/ui/virtual-table.tsx';
import { formatTimestamp } from '../../lib/format.ts';

/** The details object in one line, keys sorted: `note="on site" · role="viewer"`. */
export function formatDetails(details: Record<string, unknown>): string {
  return Object.keys(details)
    .sort()
    .map((key) => `${key}=${JSON.stringify(details[key])}`)
    .join(' · ');
}

const COLUMNS: Column<AuditEntry>[] = [
  {
    id: 'at',
    header: 'Time',
    width: '170px',
    cell: (e) => (
      <time className="muted num" dateTime={new Date(e.at).toISOString()}>
        {formatTimestamp(e.at)}
      </time>
    ),
  },
  { id: 'actor', header: 'Actor', width: 'minmax(0, 0.9fr)', cell: (e) => <strong>{e.actor}</strong> },
  { id: 'action', header: 'Action', width: 'minmax(0, 1fr)', cell: (e) => <code>{e.action}</code> },
  {
    id: 'target',
    header: 'Target',
    width: 'minmax(0, 1.3fr)',
    cell: (e) => <span className="mono">{e.target}</span>,
  },
  {
    id: 'details',
    header: 'Details',
    width: 'minmax(0, 2fr)',
    narrow: 'hide',
    cell: (e) => {
      const text = formatDetails(e.details);
      return (
        <span className="muted mono truncate" title={text}>
          {text}
        </span>
      );
    },
  },
  {
    id: 'address',
    header: 'Address',
    width: '130px',
    narrow: 'hide',
    cell: (e) => <span className="mono muted">{e.address}</span>,
  },
];

/** Audit entries newest first; scrolling to the end loads older ones. */
export function AuditTable(props: {
  entries: readonly AuditEntry[];
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  footer: React.ReactNode;
}) {
  return (
    <VirtualTable
      label="Audit log"
      rows={props.entries}
      columns={COLUMNS}
      rowKey={(e) => String(e.id)}
      rowHeight={44}
      narrow={{ rowHeight: 76, columns: 'minmax(0, 1fr) auto', areas: "'action at' 'actor target'" }}
      hasMore={props.hasMore}
      loadingMore={props.loadingMore}
      onLoadMore={props.onLoadMore}
      footer={props.footer}
    />
  );
}
