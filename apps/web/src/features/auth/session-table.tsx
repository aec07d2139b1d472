import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { SessionInfo } from '@tierscope/shared/schemas';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { VirtualTable, type Column } from '../../components/ui/virtual-table.tsx';
import { formatAgo, formatTimestamp } from '../../lib/format.ts';
import { api } from '../../lib/trpc.ts';
import { useNow } from '../../lib/use-now.ts';
import { mySessionsQueryOptions } from './session-queries.ts';
import { describeUserAgent } from './user-agent.ts';

/**
 * The signed-in user's sessions, this one marked. Revoking one ends it at once everywhere (the
 * server deletes it); revoking this one is logging out, and the console goes to the login page.
 */
export function SessionTable({ sessions }: { sessions: readonly SessionInfo[] }) {
  const now = useNow(30_000);
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: (id: number) => api.console.sessions.revoke.mutate({ id }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: mySessionsQueryOptions().queryKey }),
  });

  const columns: Column<SessionInfo>[] = [
    {
      id: 'client',
      header: 'Client',
      width: 'minmax(0, 2fr)',
      cell: (s) => (
        <span title={s.userAgent}>
          {describeUserAgent(s.userAgent)}
          {s.current && (
            <>
              {' '}
              <span className="pill" data-tone="ok">
                This session
              </span>
            </>
          )}
        </span>
      ),
    },
    {
      id: 'address',
      header: 'Address',
      width: 'minmax(0, 1fr)',
      cell: (s) => <span className="mono">{s.address}</span>,
    },
    {
      id: 'started',
      header: 'Started',
      width: '170px',
      narrow: 'hide',
      cell: (s) => <span className="muted num">{formatTimestamp(s.createdAt)}</span>,
    },
    {
      id: 'seen',
      header: 'Last active',
      width: '130px',
      cell: (s) => <span className="muted">{formatAgo(s.lastSeenAt, now)}</span>,
    },
    {
      id: 'action',
      header: 'Action',
      width: '120px',
      cell: (s) => (
        <button
          type="button"
          className="button"
          disabled={revoke.isPending && revoke.variables === s.id}
          aria-label={
            s.current
              ? 'Log out this session'
              : `Revoke the session from ${describeUserAgent(s.userAgent)}, ${s.address}, started ${formatTimestamp(s.createdAt)}`
          }
          onClick={() => revoke.mutate(s.id)}
        >
          {s.current ? 'Log out' : 'Revoke'}
        </button>
      ),
    },
  ];

  return (
    <>
      {revoke.error && <ErrorNotice error={revoke.error} />}
      <VirtualTable
        label="My sessions"
        rows={sessions}
        columns={columns}
        rowKey={(s) => String(s.id)}
        rowHeight={52}
        narrow={{
          rowHeight: 96,
          columns: 'minmax(0, 1fr) auto',
          areas: "'client action' 'address action' 'seen action'",
        }}
        height="min(480px, 60dvh)"
        footer={`${sessions.length} session${sessions.length === 1 ? '' : 's'}`}
      />
    </>
  );
}
