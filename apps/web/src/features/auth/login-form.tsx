import { useId, useState, type FormEvent } from 'react';
import { AuthFailure, logIn } from '../../lib/session.ts';
import type { AuthState } from '@tierscope/shared/schemas';
import { AuthFailureNotice } from './auth-failure-notice.tsx';

/**
 * User name and password. Says why a login failed: wrong name or password, too many attempts (and
 * when to try again), or a server it cannot reach; the password field is cleared only for a wrong one.
 */
export function LoginForm({ onLoggedIn }: { onLoggedIn: (state: AuthState, password: string) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<AuthFailure | null>(null);
  const errorId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setFailure(null);
    try {
      const state = await logIn(username.trim(), password);
      onLoggedIn(state, password);
    } catch (error) {
      const failed =
        error instanceof AuthFailure ? error : new AuthFailure('server', 'The login failed. Try again.');
      setFailure(failed);
      if (failed.kind === 'wrong-credentials') setPassword('');
      setPending(false);
    }
  };

  const describedBy = failure ? errorId : undefined;
  return (
    <form className="auth-form" aria-label="Log in" onSubmit={(e) => void submit(e)}>
      <label className="field">
        <span>User name</span>
        <input
          className="input"
          name="username"
          autoComplete="username"
          autoCapitalize="off"
          spellCheck={false}
          required
          maxLength={128}
          value={username}
          aria-invalid={failure?.kind === 'wrong-credentials' || undefined}
          aria-describedby={describedBy}
          onChange={(e) => setUsername(e.target.value)}
        />
      </label>
      <label className="field">
        <span>Password</span>
        <input
          className="input"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          maxLength={1024}
          value={password}
          aria-invalid={failure?.kind === 'wrong-credentials' || undefined}
          aria-describedby={describedBy}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      {failure && <AuthFailureNotice id={errorId} failure={failure} />}
      <button type="submit" className="button" data-variant="primary" disabled={pending}>
        {pending ? 'Logging in…' : 'Log in'}
      </button>
    </form>
  );
}
