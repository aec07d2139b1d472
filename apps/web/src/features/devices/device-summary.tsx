import type { Device } from '@tierscope/shared/schemas';
import { DeviceStatusPill } from '../../components/ui/status-pill.tsx';
import { formatAgo, formatTimestamp } from '../../lib/format.ts';
import { useNow } from '../../lib/use-now.ts';
import { NodeLink } from '../../components/ui/node-link.tsx';

/** Who a device is and when it was last heard from. */
export function DeviceSummary({ device }: { device: Device }) {
  const now = useNow(5000);
  const labels = Object.entries(device.labels);
  return (
    <dl className="facts">
      {device.quarantine && (
        <div>
          <dt>Quarantined</dt>
          <dd>
            <span className="pill" data-tone="bad">
              {device.quarantine.until === null
                ? 'until released'
                : `until ${formatTimestamp(device.quarantine.until)}`}
            </span>
            <small>
              {device.quarantine.reason} · by {device.quarantine.by}, {formatAgo(device.quarantine.at, now)}
            </small>
          </dd>
        </div>
      )}
      <div>
        <dt>Status</dt>
        <dd>
          <DeviceStatusPill status={device.status} />
        </dd>
      </div>
      <div>
        <dt>Owning node</dt>
        <dd>
          <NodeLink path={device.nodePath} className="mono">
            {device.nodePath}
          </NodeLink>
        </dd>
      </div>
      <div>
        <dt>Last seen</dt>
        <dd>
          {formatAgo(device.lastSeen, now)}
          {device.lastSeen !== null && <small>{formatTimestamp(device.lastSeen)}</small>}
        </dd>
      </div>
      <div>
        <dt>First seen</dt>
        <dd>{formatTimestamp(device.firstSeen)}</dd>
      </div>
      <div>
        <dt>Kind</dt>
        <dd>{device.kind || <span className="muted">not set</span>}</dd>
      </div>
      <div>
        <dt>Site</dt>
        <dd>{device.site || <span className="muted">not set</span>}</dd>
      </div>
      <div>
        <dt>Labels</dt>
        <dd>
          {labels.length === 0 ? (
            <span className="muted">none</span>
          ) : (
            labels.map(([key, value]) => (
              <small key={key} className="mono">
                {key}={value}
              </small>
            ))
          )}
        </dd>
      </div>
    </dl>
  );
}
