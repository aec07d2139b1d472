import { useQueryClient } from '@tanstack/react-query';
import { useRouter } from '@tanstack/react-router';
import { useState } from 'react';
import { formatAge, formatTimestamp } from '../../lib/format.ts';
import { logOut, useSessionExpiry } from '../../lib/session.ts';
import { useNow } from '../../lib/use-now.ts';

/** How long before the session's end the console starts saying so. */
export const EXPIRY_WARNING_MS = 10 * 60_000;

/**
 * In a session's last minutes: when it will end, and a way to sign in again now. A session ends at
 * its absolute timeout however busy it is, so an operator mid-shift picks the moment instead of
 * being sent to the login page in the middle of an ack.
 */
export function SessionExpiryNotice() {
  const expiresAt = useSessionExpiry();
  const now = useNow(15_000);
  const router = useRouter();
  const queryClient = useQueryClient();
  const [leaving, setLeaving] = useState(false);
  if (expiresAt === null || now < expiresAt - EXPIRY_WARNING_MS) return null;

  const signInAgain = async () => {
    setLeaving(true);
    const { href } = router.state.location;
    await logOut().catch(() => undefined);
    await router.navigate({ to: '/login', search: { redirect: href }, replace: true });
    queryClient.clear();
  };

  return (
    <div className="notice" data-tone="warn" role="status" data-testid="session-expiry">
      <div className="notice-body">
        <p className="notice-title">
          Your session ends {now < expiresAt ? `in ${formatAge(expiresAt - now)}` : 'now'}
        </p>
        <p>
          A session has a fixed lifetime, however busy; this one ends at {formatTimestamp(expiresAt)}. Sign in
          again now and you come back to this page.
        </p>
      </div>
      <button type="button" className="button" disabled={leaving} onClick={() => void signInAgain()}>
        Sign in again
      </button>
    </div>
  );
}
