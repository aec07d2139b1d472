import { Link, Outlet } from '@tanstack/react-router';
import { EmptyState } from '../components/ui/notices.tsx';
import { PageHeader } from '../components/ui/page-header.tsx';
import { useRoleAllows, useSessionUser } from '../lib/session.ts';

/**
 * The admin pages under one tab bar. Anyone else gets a clear refusal rather than pages whose every
 * call the server would refuse (it checks each one regardless).
 */
export function AdminLayout() {
  const user = useSessionUser();
  const admin = useRoleAllows('admin');
  if (!admin)
    return (
      <>
        <PageHeader title="Admins only" />
        <EmptyState title="Access refused">
          {user ? `You are signed in as ${user.name}, a ${user.role}. ` : ''}These pages manage users, the
          audit log and node tokens; ask an admin if you need something changed.{' '}
          <Link to="/">Back to the overview</Link>
        </EmptyState>
      </>
    );
  return (
    <>
      <nav className="tabs" aria-label="Admin">
        <Link to="/admin/users">Users</Link>
        <Link to="/admin/audit">Audit log</Link>
        <Link to="/admin/node-tokens">Node tokens</Link>
        <Link to="/admin/reports">Scheduled reports</Link>
      </nav>
      <Outlet />
    </>
  );
}
