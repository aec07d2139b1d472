import type { AuthFailure } from '../../lib/session.ts';

const TITLES: Record<AuthFailure['kind'], string> = {
  'wrong-credentials': 'Login failed',
  'wrong-password': 'Password not changed',
  'rate-limited': 'Too many attempts',
  unreachable: 'The console cannot reach the server',
  'not-logged-in': 'Your session has ended',
  refused: 'The server refused this',
  server: 'The server failed',
};

/** Why a login or password change failed, announced as it appears. */
export function AuthFailureNotice({ id, failure }: { id?: string; failure: AuthFailure }) {
  return (
    <div id={id} className="notice" data-tone={failure.kind === 'rate-limited' ? 'warn' : 'bad'} role="alert">
      <div className="notice-body">
        <p className="notice-title">{TITLES[failure.kind]}</p>
        <p>{failure.message}</p>
      </div>
    </div>
  );
}
