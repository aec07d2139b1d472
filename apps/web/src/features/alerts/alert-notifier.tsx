import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useMemo } from 'react';
import { setTitleBadge } from '../../lib/document-title.ts';
import { beep, useAlertSound } from './alert-sound.ts';
import { liveAlertsQueryOptions, onNewCriticalAlerts } from './alert-stream.tsx';
import { criticalFiringCount } from './alert-store.ts';

/**
 * New critical alerts get noticed on any page: the tab's title carries the count of firing
 * critical alerts, and (when the operator turned it on) each new one beeps. Returns the count.
 */
export function useAlertNotifier(): number {
  const { data: store } = useQuery(liveAlertsQueryOptions());
  const critical = useMemo(() => criticalFiringCount(store), [store]);
  const [soundOn] = useAlertSound();
  useEffect(() => setTitleBadge(critical), [critical]);
  useEffect(() => (soundOn ? onNewCriticalAlerts(() => beep()) : undefined), [soundOn]);
  return critical;
}

/** The count beside "Alerts" in the navigation; nothing while no critical alert fires. */
export function CriticalBadge({ count }: { count: number }) {
  if (count === 0) return null;
  return (
    <span className="nav-badge" data-testid="critical-badge">
      <span aria-hidden="true">{count > 99 ? '99+' : count}</span>
      <span className="visually-hidden">
        , {count} critical {count === 1 ? 'alert' : 'alerts'} firing
      </span>
    </span>
  );
}

/** The switch for the beep on new critical alerts (off by default, remembered per browser). */
export function AlertSoundToggle() {
  const [enabled, setEnabled] = useAlertSound();
  const id = useId();
  return (
    <label className="switch" htmlFor={id}>
      {/* The input covers the whole label (a 44 px target); the track only draws it. */}
      <input
        id={id}
        type="checkbox"
        role="switch"
        className="switch-input"
        checked={enabled}
        onChange={(e) => setEnabled(e.target.checked)}
      />
      <span className="switch-track" aria-hidden="true" />
      <span>Sound on new criticals</span>
    </label>
  );
}
