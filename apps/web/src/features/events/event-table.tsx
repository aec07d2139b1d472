import { Link } from '@tanstack/react-router';
import type { DeviceEvent } from '@tierscope/shared/schemas';
import type { ReactNode } from 'react';
import { SeverityLabel } from '../../components/ui/status-pill.tsx';
import { VirtualTable, type Column } from '../../components/ui/virtual-table.tsx';
import { formatTimestamp } from '../../lib/format.ts';
import { NodeLink } from '../../components/ui/node-link.tsx';

const COLUMNS: Column<DeviceEvent>[] = [
  {
    id: 'time',
    header: 'Time',
    width: '150px',
    cell: (e) => (
      <time className="num muted" dateTime={new Date(e.ts).toISOString()}>
        {formatTimestamp(e.ts)}
      </time>
    ),
  },
  { id: 'severity', header: 'Severity', width: '96px', cell: (e) => <SeverityLabel severity={e.severity} /> },
  {
    id: 'device',
    header: 'Device',
    width: 'minmax(0, 1.4fr)',
    cell: (e) => (
      <Link to="/devices/$deviceId" params={{ deviceId: e.deviceId }} search={{ node: e.nodePath }}>
        {e.deviceId}
      </Link>
    ),
  },
  {
    id: 'node',
    header: 'Node',
    width: 'minmax(0, 1fr)',
    narrow: 'hide',
    cell: (e) => (
      <NodeLink path={e.nodePath} className="mono">
        {e.nodePath}
      </NodeLink>
    ),
  },
  { id: 'type', header: 'Type', width: '110px', narrow: 'hide', cell: (e) => <code>{e.type}</code> },
  {
    id: 'message',
    header: 'Message',
    width: 'minmax(0, 3fr)',
    cell: (e) => <span title={e.message}>{e.message}</span>,
  },
];

/** Events in a virtualised table, newest first, each linked to its device and node. */
export function EventTable(props: {
  events: readonly DeviceEvent[];
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  footer: ReactNode;
  label?: string;
  height?: string;
}) {
  return (
    <VirtualTable
      label={props.label ?? 'Events'}
      rows={props.events}
      columns={COLUMNS}
      rowKey={(e) => `${e.nodePath}\u0000${e.id}`}
      rowHeight={46}
      narrow={{
        rowHeight: 96,
        columns: 'minmax(0, 1fr) auto',
        areas: "'device severity' 'message message' 'time time'",
      }}
      hasMore={props.hasMore}
      loadingMore={props.loadingMore}
      onLoadMore={props.onLoadMore}
      footer={props.footer}
      {...(props.height !== undefined && { height: props.height })}
    />
  );
}
