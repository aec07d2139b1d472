import { Link } from '@tanstack/react-router';
import type { Device } from '@tierscope/shared/schemas';
import { DeviceStatusPill } from '../../components/ui/status-pill.tsx';
import { VirtualTable, type Column } from '../../components/ui/virtual-table.tsx';
import { formatAgo, formatValue } from '../../lib/format.ts';
import { useNow } from '../../lib/use-now.ts';
import { NodeLink } from '../../components/ui/node-link.tsx';

const LATEST_SHOWN = 3;

export function DeviceLink({ device }: { device: Pick<Device, 'id' | 'name' | 'nodePath'> }) {
  return (
    <Link to="/devices/$deviceId" params={{ deviceId: device.id }} search={{ node: device.nodePath }}>
      {device.name || device.id}
    </Link>
  );
}

function columnsAt(now: number): Column<Device>[] {
  return [
    { id: 'name', header: 'Device', width: 'minmax(0, 2fr)', cell: (d) => <DeviceLink device={d} /> },
    { id: 'status', header: 'Status', width: '96px', cell: (d) => <DeviceStatusPill status={d.status} /> },
    {
      id: 'node',
      header: 'Node',
      width: 'minmax(0, 1.2fr)',
      cell: (d) => (
        <NodeLink path={d.nodePath} className="mono">
          {d.nodePath}
        </NodeLink>
      ),
    },
    {
      id: 'seen',
      header: 'Last seen',
      width: '130px',
      cell: (d) => <span className="muted">{formatAgo(d.lastSeen, now)}</span>,
    },
    {
      id: 'latest',
      header: 'Latest values',
      width: 'minmax(0, 2.2fr)',
      narrow: 'hide',
      cell: (d) => (
        <span className="latest-inline">
          {Object.entries(d.latest)
            .sort(([a], [b]) => a.localeCompare(b))
            .slice(0, LATEST_SHOWN)
            .map(([metric, latest]) => (
              <span key={metric}>
                <span className="metric">{metric}</span> {formatValue(latest.value)}
              </span>
            ))}
        </span>
      ),
    },
  ];
}

/** Devices in a virtualised table; rows are links to each device's page on its owning node. */
export function DeviceTable(props: {
  devices: readonly Device[];
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  footer: React.ReactNode;
  label?: string;
  height?: string;
}) {
  const now = useNow(10_000);
  return (
    <VirtualTable
      label={props.label ?? 'Devices'}
      rows={props.devices}
      columns={columnsAt(now)}
      rowKey={(d) => `${d.nodePath}\u0000${d.id}`}
      rowHeight={48}
      narrow={{ rowHeight: 76, columns: 'minmax(0, 1fr) auto', areas: "'name status' 'node seen'" }}
      hasMore={props.hasMore}
      loadingMore={props.loadingMore}
      onLoadMore={props.onLoadMore}
      footer={props.footer}
      {...(props.height !== undefined && { height: props.height })}
    />
  );
}
