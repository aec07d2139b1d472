import { useQueryClient } from '@tanstack/react-query';
import { Link, useRouter } from '@tanstack/react-router';
import { useEffect, useId, useRef, useState } from 'react';
import { logOut, useSessionUser } from '../../lib/session.ts';
import { ROLE_LABELS } from '../../lib/role-labels.ts';

/**
 * Who is signed in (name and role), with their sessions, password and logout. A disclosure rather
 * than an ARIA menu: its items are ordinary links and a button, reachable with Tab.
 */
export function UserMenu() {
  const user = useSessionUser();
  const [open, setOpen] = useState(false);
  const [loggingOut, setLoggingOut] = useState(false);
  const panelId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const router = useRouter();
  const queryClient = useQueryClient();

  useEffect(() => {
    if (!open) return;
    const closeOutside = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    const closeOnEscape = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setOpen(false);
    };
    document.addEventListener('pointerdown', closeOutside);
    document.addEventListener('keydown', closeOnEscape);
    return () => {
      document.removeEventListener('pointerdown', closeOutside);
      document.removeEventListener('keydown', closeOnEscape);
    };
  }, [open]);

  if (!user) return null;

  const logout = async () => {
    setLoggingOut(true);
    // The browser forgets the session even when the server cannot be told (logOut's finally).
    await logOut().catch(() => undefined);
    await router.navigate({ to: '/login', replace: true });
    queryClient.clear();
  };

  return (
    <div className="user-menu" ref={rootRef}>
      <button
        type="button"
        className="button user-menu-button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
      >
        <span className="user-menu-name">{user.name}</span>
        <span className="user-menu-role">{ROLE_LABELS[user.role]}</span>
        <span className="visually-hidden">: account menu</span>
      </button>
      {open && (
        <div id={panelId} className="user-menu-panel">
          <p className="user-menu-who">
            Signed in as <strong>{user.name}</strong>
            <br />
            {ROLE_LABELS[user.role]} · {user.scope.includes('**') ? 'every node' : user.scope.join(', ')}
          </p>
          <ul>
            <li>
              <Link to="/account/sessions" onClick={() => setOpen(false)}>
                My sessions
              </Link>
            </li>
            <li>
              <Link to="/reports" onClick={() => setOpen(false)}>
                Report
              </Link>
            </li>
            <li>
              <Link to="/dashboards" onClick={() => setOpen(false)}>
                Dashboards
              </Link>
            </li>
            <li>
              <Link to="/account/notifications" onClick={() => setOpen(false)}>
                My notifications
              </Link>
            </li>
            <li>
              <Link to="/account/password" onClick={() => setOpen(false)}>
                Change password
              </Link>
            </li>
            <li>
              <button type="button" onClick={() => void logout()} disabled={loggingOut}>
                {loggingOut ? 'Logging out…' : 'Log out'}
              </button>
            </li>
          </ul>
        </div>
      )}
    </div>
  );
}
