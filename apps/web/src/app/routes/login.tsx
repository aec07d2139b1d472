import { useQueryClient } from '@tanstack/react-query';
import { getRouteApi, useRouter } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { ChangePasswordForm } from '../../features/auth/change-password-form.tsx';
import { LoginForm } from '../../features/auth/login-form.tsx';
import { setPageTitle } from '../../lib/document-title.ts';
import { logOut, safeRedirect, useSessionUser } from '../../lib/session.ts';
import { LogoIcon } from '../icons.tsx';

const route = getRouteApi('/login');

/**
 * Log in, then (for a one-time or reset password) choose a new one, then go where the user was
 * going. Outside the shell: nothing here asks the API for data.
 */
export function LoginRoute() {
  const { redirect } = route.useSearch();
  const user = useSessionUser();
  const router = useRouter();
  const queryClient = useQueryClient();
  // The password just typed, so the change step does not ask for it again.
  const [loginPassword, setLoginPassword] = useState<string>();
  const mustChange = user?.mustChangePassword === true;

  useEffect(() => setPageTitle(mustChange ? 'Choose a new password' : 'Log in'), [mustChange]);

  const enter = () => {
    // Whatever the previous user of this tab loaded is not this user's to see.
    queryClient.clear();
    void router.navigate({ href: safeRedirect(redirect), replace: true });
  };

  return (
    <main id="main" className="auth-page">
      <div className="auth-card">
        <div className="auth-brand">
          <LogoIcon />
          <span>Tierscope</span>
        </div>
        {mustChange ? (
          <>
            <h1>Choose a new password</h1>
            <p className="auth-lead">
              {user.name}, your password was set for you. Choose your own before going on; your other sessions
              end.
            </p>
            <ChangePasswordForm
              knownCurrentPassword={loginPassword}
              submitLabel="Save and continue"
              onChanged={enter}
            />
            <button
              type="button"
              className="link-button"
              onClick={() => void logOut().finally(() => setLoginPassword(undefined))}
            >
              Log out instead
            </button>
          </>
        ) : (
          <>
            <h1>Log in</h1>
            <p className="auth-lead">The console of your fleet: every node, one place.</p>
            <LoginForm
              onLoggedIn={(state, password) => {
                if (state.user.mustChangePassword) setLoginPassword(password);
                else enter();
              }}
            />
          </>
        )}
      </div>
    </main>
  );
}
