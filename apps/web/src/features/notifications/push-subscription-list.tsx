import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { NotificationSettings } from '@tierscope/shared/schemas';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { formatTimestamp } from '../../lib/format.ts';
import { api } from '../../lib/trpc.ts';
import { notificationSettingsQueryOptions } from './notification-queries.ts';

/** The push service a subscription goes through (fcm.googleapis.com, updates.push.services.mozilla.com). */
function pushServiceOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}

/**
 * Every browser that gets the signed-in user's alert pushes, each removable: a lost phone stops
 * buzzing once its subscription is removed here, without the phone.
 */
export function PushSubscriptionList({ settings }: { settings: NotificationSettings }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: (endpoint: string) => api.console.notifications.unsubscribePush.mutate({ endpoint }),
    onSuccess: (saved) => queryClient.setQueryData(notificationSettingsQueryOptions().queryKey, saved),
  });
  const subscriptions = settings.pushSubscriptions;
  if (subscriptions.length === 0)
    return <p className="muted">No browser gets your alert pushes. Turn them on under My notifications.</p>;
  return (
    <>
      {remove.error && <ErrorNotice error={remove.error} />}
      <ul className="plain-list" aria-label="Browsers that get your alerts">
        {subscriptions.map((subscription) => (
          <li key={subscription.endpoint} className="push-subscription" data-testid="push-subscription">
            <span>
              Through <span className="mono">{pushServiceOf(subscription.endpoint)}</span>
              <span className="muted">, since {formatTimestamp(subscription.createdAt)}</span>
            </span>
            <button
              type="button"
              className="button"
              disabled={remove.isPending && remove.variables === subscription.endpoint}
              aria-label={`Stop alert pushes through ${pushServiceOf(subscription.endpoint)}, subscribed ${formatTimestamp(subscription.createdAt)}`}
              onClick={() => remove.mutate(subscription.endpoint)}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}
