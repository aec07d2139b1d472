import { useQueryClient } from '@tanstack/react-query';
import { useRouter } from '@tanstack/react-router';
import { useEffect } from 'react';
import { ensureSession, getSession, onSessionEnded, sessionEnded } from '../../lib/session.ts';

/** How often a console opened offline asks again who is signed in. */
const RECHECK_MS = 5_000;

/**
 * Sends the user to the login page, keeping where they were, once the server says the session
 * ended (any 401). A console opened offline has no session in memory: it asks /auth/me until the
 * server answers, then either carries on or goes to the login page.
 */
export function useSessionGuard(): void {
  const router = useRouter();
  const queryClient = useQueryClient();

  useEffect(
    () =>
      onSessionEnded(() => {
        const { href, pathname } = router.state.location;
        if (pathname === '/login') return;
        void router.navigate({ to: '/login', search: { redirect: href }, replace: true }).then(() =>
          // The next user of this tab must not see this one's data.
          queryClient.clear(),
        );
      }),
    [router, queryClient],
  );

  useEffect(() => {
    if (getSession()) return;
    const recheck = () => {
      ensureSession().then(
        (session) => {
          if (!session) sessionEnded();
        },
        () => undefined, // still unreachable: the widgets say so
      );
    };
    const timer = setInterval(() => {
      if (getSession()) clearInterval(timer);
      else recheck();
    }, RECHECK_MS);
    window.addEventListener('online', recheck);
    return () => {
      clearInterval(timer);
      window.removeEventListener('online', recheck);
    };
  }, []);
}
