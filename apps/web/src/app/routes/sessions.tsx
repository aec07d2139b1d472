import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { PageHeader } from '../../components/ui/page-header.tsx';
import { mySessionsQueryOptions } from '../../features/auth/session-queries.ts';
import { SessionTable } from '../../features/auth/session-table.tsx';
import { useRefetchInterval } from '../../lib/refresh-interval.tsx';

/** Where the signed-in user is logged in, and a way to end any of it. */
export function SessionsRoute() {
  const query = useQuery({ ...mySessionsQueryOptions(), refetchInterval: useRefetchInterval() });
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
    </>
  );
}
