import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { PageHeader } from '../../components/ui/page-header.tsx';
import { CreateUserForm } from '../../features/users/create-user-form.tsx';
import { UserEditor } from '../../features/users/user-editor.tsx';
import { usersQueryOptions } from '../../features/users/user-queries.ts';
import { UserTable } from '../../features/users/user-table.tsx';
import { useRefetchInterval } from '../../lib/refresh-interval.tsx';

/** Console users: create them, change role and scope, reset passwords, disable, log out everywhere. */
export function UsersRoute() {
  // Refreshed like every other panel: another admin's changes show up, and the data never reads as stale.
  const query = useQuery({ ...usersQueryOptions(), refetchInterval: useRefetchInterval() });
  const users = query.data ?? [];
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ name: string; password: string } | null>(null);
  const [selectedId, setSelectedId] = useState<number>();
  const selected = users.find((u) => u.id === selectedId);

  return (
    <>
      <PageHeader
        title="Users"
        subtitle="Who may use the console, with which role, over which nodes."
        actions={
          <button
            type="button"
            className="button"
            data-variant={creating ? undefined : 'primary'}
            aria-expanded={creating}
            onClick={() => {
              setCreating((c) => !c);
              setCreated(null);
            }}
          >
            {creating ? 'Close the new user form' : 'New user'}
          </button>
        }
      />
      {created && (
        <div className="notice" data-tone="ok" role="status">
          <div className="notice-body">
            <p className="notice-title">Created {created.name}</p>
            <p>
              First password: <code className="mono">{created.password}</code> — pass it on; {created.name}{' '}
              chooses their own at the first login.
            </p>
          </div>
        </div>
      )}
      {creating && (
        <section className="panel" aria-label="New user">
          <div className="panel-body">
            <CreateUserForm
              onCreated={(user, password) => {
                setCreated({ name: user.name, password });
                setCreating(false);
              }}
            />
          </div>
        </section>
      )}
      <FanOutPanel
        title="Users"
        query={query}
        summary={`${users.length}`}
        isEmpty={users.length === 0}
        emptyTitle="No users"
        flush
        testId="users-panel"
      >
        <UserTable users={users} selectedId={selectedId} onSelect={setSelectedId} />
      </FanOutPanel>
      {selected && (
        <section className="panel" aria-labelledby="user-editor-title">
          <header className="panel-header">
            <div className="panel-title">
              <h2 id="user-editor-title">Manage {selected.name}</h2>
            </div>
          </header>
          <div className="panel-body">
            <UserEditor key={selected.id} user={selected} onDone={() => setSelectedId(undefined)} />
          </div>
        </section>
      )}
    </>
  );
}
