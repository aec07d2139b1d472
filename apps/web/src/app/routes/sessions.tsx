import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { PageHeader } from '../../components/ui/page-header.tsx';
import { mySessionsQueryOptions } from '../../features/auth/session-queries.ts';
import { SessionTable } from '../../features/auth/session-table.tsx';
import { notificationSettingsQueryOptions } from '../../features/notifications/notification-queries.ts';
import { PushSubscriptionList } from '../../features/notifications/push-subscription-list.tsx';
import { useRefetchInterval } from '../../lib/refresh-interval.tsx';

/** Where the signed-in user is logged in, which browsers get their alert pushes, and a way to end any of it. */
export function SessionsRoute() {
  const query = useQuery({ ...mySessionsQueryOptions(), refetchInterval: useRefetchInterval() });
  const notifications = useQuery(notificationSettingsQueryOptions());
  const sessions = query.data ?? [];
  return (
    <>
      <PageHeader
        title="My sessions"
        subtitle="Every browser and client logged in as you. A session you do not recognise: revoke it, then change your password."
        actions={
          <Link to="/account/password" className="button">
            Change password
          </Link>
        }
      />
      <FanOutPanel
        title="Sessions"
        query={query}
        summary={`${sessions.length}`}
        isEmpty={sessions.length === 0}
        emptyTitle="No sessions"
        flush
        testId="sessions-panel"
      >
        <SessionTable sessions={sessions} />
      </FanOutPanel>
      <FanOutPanel
        title="Browsers that get your alerts"
        query={notifications}
        summary={`${notifications.data?.pushSubscriptions.length ?? 0}`}
        testId="push-subscriptions-panel"
      >
        {notifications.data && <PushSubscriptionList settings={notifications.data} />}
      </FanOutPanel>
    </>
  );
}
