import type { ConsoleUser } from '@tierscope/shared/schemas';
import { VirtualTable, type Column } from '../../components/ui/virtual-table.tsx';
import { formatTimestamp } from '../../lib/format.ts';
import { ROLE_LABELS } from '../../lib/role-labels.ts';
import { describeScope } from './scope-text.ts';

export function UserStatus({ user }: { user: ConsoleUser }) {
  if (user.disabled)
    return (
      <span className="pill" data-tone="bad">
        Disabled
      </span>
    );
  if (user.mustChangePassword)
    return (
      <span className="pill" data-tone="warn">
        Password to choose
      </span>
    );
  return (
    <span className="pill" data-tone="ok">
      Active
    </span>
  );
}

/** Every console user; "Manage" opens one below the table. */
export function UserTable({
  users,
  selectedId,
  onSelect,
}: {
  users: readonly ConsoleUser[];
  selectedId: number | undefined;
  onSelect: (id: number) => void;
}) {
  const columns: Column<ConsoleUser>[] = [
    { id: 'name', header: 'User', width: 'minmax(0, 1.4fr)', cell: (u) => <strong>{u.name}</strong> },
    { id: 'role', header: 'Role', width: '110px', cell: (u) => ROLE_LABELS[u.role] },
    {
      id: 'scope',
      header: 'Scope',
      width: 'minmax(0, 1.6fr)',
      cell: (u) => <span className="mono">{describeScope(u.scope)}</span>,
    },
    { id: 'status', header: 'Status', width: '170px', cell: (u) => <UserStatus user={u} /> },
    {
      id: 'created',
      header: 'Created',
      width: '170px',
      narrow: 'hide',
      cell: (u) => <span className="muted num">{formatTimestamp(u.createdAt)}</span>,
    },
    {
      id: 'action',
      header: 'Action',
      width: '120px',
      cell: (u) => (
        <button
          type="button"
          className="button"
          aria-pressed={u.id === selectedId}
          aria-label={`Manage ${u.name}`}
          onClick={() => onSelect(u.id)}
        >
          Manage
        </button>
      ),
    },
  ];
  return (
    <VirtualTable
      label="Users"
      rows={users}
      columns={columns}
      rowKey={(u) => String(u.id)}
      rowHeight={52}
      narrow={{
        rowHeight: 100,
        columns: 'minmax(0, 1fr) auto',
        areas: "'name action' 'role action' 'scope status'",
      }}
      height="min(420px, 55dvh)"
      footer={`${users.length} user${users.length === 1 ? '' : 's'}`}
    />
  );
}
