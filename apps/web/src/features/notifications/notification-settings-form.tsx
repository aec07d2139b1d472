import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { NotificationSettings } from '@tierscope/shared/schemas';
import { useId, useState, type FormEvent } from 'react';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { api } from '../../lib/trpc.ts';
import { currentPushSubscription, pushUnsupportedReason, subscribeThisBrowser } from './browser-push.ts';
import { notificationSettingsQueryOptions } from './notification-queries.ts';

const LOCAL_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Email and quiet hours: where escalation policies naming the user reach them, and when not. */
export function NotificationSettingsForm({ settings }: { settings: NotificationSettings }) {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState(settings.email ?? '');
  const [quiet, setQuiet] = useState(settings.quietHours !== null);
  const [from, setFrom] = useState(settings.quietHours?.from ?? '22:00');
  const [to, setTo] = useState(settings.quietHours?.to ?? '07:00');
  const [timeZone, setTimeZone] = useState(settings.quietHours?.timeZone ?? LOCAL_ZONE);
  const statusId = useId();
  const save = useMutation({
    mutationFn: () =>
      api.console.notifications.update.mutate({
        email: email.trim() === '' ? null : email.trim(),
        quietHours: quiet ? { from, to, timeZone } : null,
      }),
    onSuccess: (saved) => queryClient.setQueryData(notificationSettingsQueryOptions().queryKey, saved),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };

  return (
    <form className="stack" onSubmit={submit} aria-label="Email and quiet hours" aria-describedby={statusId}>
      <label className="field">
        <span>Email for alerts</span>
        <input
          className="input"
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          placeholder="you@example.com (empty: no email)"
        />
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={quiet} onChange={(e) => setQuiet(e.target.checked)} />
        Quiet hours: only critical alerts reach me between
      </label>
      {quiet && (
        <div className="toolbar">
          <label className="field">
            <span>From</span>
            <input
              className="input"
              type="time"
              value={from}
              onChange={(e) => setFrom(e.target.value)}
              required
            />
          </label>
          <label className="field">
            <span>To</span>
            <input
              className="input"
              type="time"
              value={to}
              onChange={(e) => setTo(e.target.value)}
              required
            />
          </label>
          <label className="field grow">
            <span>Time zone</span>
            <input
              className="input"
              value={timeZone}
              onChange={(e) => setTimeZone(e.target.value)}
              required
            />
          </label>
        </div>
      )}
      <div>
        <button type="submit" className="button" data-variant="primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save'}
        </button>
      </div>
      <div id={statusId} aria-live="polite">
        {save.isError && <ErrorNotice error={save.error} />}
        {save.isSuccess && (
          <p className="notice" data-tone="ok">
            Saved.
          </p>
        )}
      </div>
    </form>
  );
}

/** This browser's alert pushes: on (subscribed with the BFF) or off, with why it cannot be on. */
export function BrowserPushToggle({ settings }: { settings: NotificationSettings }) {
  const queryClient = useQueryClient();
  const unsupported = pushUnsupportedReason();
  const current = useQuery({
    queryKey: ['push-subscription', 'this-browser'],
    queryFn: async () => (await currentPushSubscription())?.endpoint ?? null,
    enabled: unsupported === undefined,
  });
  const subscribedHere =
    current.data !== null &&
    current.data !== undefined &&
    settings.pushSubscriptions.some((s) => s.endpoint === current.data);
  const toggle = useMutation({
    mutationFn: async () => {
      if (subscribedHere) {
        const subscription = await currentPushSubscription();
        const saved = await api.console.notifications.unsubscribePush.mutate({ endpoint: current.data! });
        await subscription?.unsubscribe();
        return saved;
      }
      if (!settings.pushPublicKey)
        throw new Error('This console sends no push notifications (no VAPID keys).');
      return api.console.notifications.subscribePush.mutate(
        await subscribeThisBrowser(settings.pushPublicKey),
      );
    },
    onSuccess: async (saved) => {
      queryClient.setQueryData(notificationSettingsQueryOptions().queryKey, saved);
      await current.refetch();
    },
  });

  if (unsupported) return <p className="muted">{unsupported}</p>;
  if (!settings.pushPublicKey) return <p className="muted">This console sends no push notifications.</p>;
  return (
    <div className="stack">
      <p>
        {subscribedHere
          ? 'Alerts that name you in an escalation policy are pushed to this browser, with an Ack button.'
          : 'Get alerts that name you on this browser or phone, even when the console is closed.'}
      </p>
      <div>
        <button
          type="button"
          className="button"
          data-variant={subscribedHere ? undefined : 'primary'}
          onClick={() => toggle.mutate()}
          disabled={toggle.isPending || current.isPending}
        >
          {subscribedHere ? 'Stop alerts on this browser' : 'Send alerts to this browser'}
        </button>
      </div>
      {toggle.isError && <ErrorNotice error={toggle.error} />}
      <p className="muted">
        {settings.pushSubscriptions.length === 0
          ? 'No browser gets your alerts yet.'
          : `${settings.pushSubscriptions.length} browser${settings.pushSubscriptions.length === 1 ? '' : 's'} get your alerts.`}
      </p>
    </div>
  );
}
