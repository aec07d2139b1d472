import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useCallback, useMemo } from 'react';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { formatCount } from '../../lib/format.ts';
import { alertsSearchOf } from './alert-filters.ts';
import { AlertList } from './alert-list.tsx';
import { DEVICE_ALERTS_LIMIT, deviceAlertsQueryOptions } from './alert-queries.ts';
import { liveAlertsQueryOptions } from './alert-stream.tsx';
import { isOpen, overlayLive } from './alert-store.ts';

/**
 * One device's alerts, open and resolved, from its owning node (`alerts.list` with the device id
 * and the node's path), kept current by the live store: an ack or a resolution shows at once.
 */
export function DeviceAlertsPanel({ nodePath, deviceId }: { nodePath: string; deviceId: string }) {
  const query = useQuery(deviceAlertsQueryOptions(nodePath, deviceId));
  const { data: store } = useQuery(liveAlertsQueryOptions());
  const keep = useCallback(
    (alert: { nodePath: string; deviceId: string | null }) =>
      alert.nodePath === nodePath && alert.deviceId === deviceId,
    [nodePath, deviceId],
  );
  const listed = query.data?.items;
  const complete = query.data !== undefined && query.data.nextCursor === null;
  const entries = useMemo(
    () => overlayLive(listed ?? [], store, keep, complete),
    [listed, store, keep, complete],
  );
  const open = entries.filter((entry) => isOpen(entry.alert)).length;

  return (
    <FanOutPanel
      title="Alerts"
      query={query}
      coverage={query.data?.coverage}
      summary={
        query.data &&
        `${formatCount(open)} open · ${formatCount(entries.length - open)} resolved${complete ? '' : `, newest ${DEVICE_ALERTS_LIMIT}`}`
      }
      actions={
        <Link
          to="/alerts"
          search={alertsSearchOf({ node: nodePath, device: deviceId, state: open > 0 ? 'open' : 'resolved' })}
          className="button"
        >
          Open in alerts
        </Link>
      }
      flush={entries.length > 0}
      testId="device-alerts-panel"
    >
      {entries.length > 0 ? (
        <AlertList entries={entries} label={`Alerts of ${deviceId}`} />
      ) : (
        // One line rather than the large empty state: the charts below are what matters then.
        <p className="muted panel-note">
          No alerts for this device: none of its node&apos;s rules has fired for it.
        </p>
      )}
    </FanOutPanel>
  );
}
