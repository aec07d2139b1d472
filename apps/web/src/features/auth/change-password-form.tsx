import { NewPassword } from '@tierscope/shared/schemas';
import { useId, useState, type FormEvent } from 'react';
import { AuthFailure, changePassword } from '../../lib/session.ts';
import { AuthFailureNotice } from './auth-failure-notice.tsx';

/** The first problem with a new password, or null; the server checks the same rule again. */
export function newPasswordProblem(next: string, repeated: string, current?: string): string | null {
  const checked = NewPassword.safeParse(next);
  if (!checked.success) return 'Use at least 12 characters (a few words make a good one).';
  if (current !== undefined && next === current) return 'Choose a password other than the current one.';
  if (next !== repeated) return 'The two new passwords differ.';
  return null;
}

/**
 * Choose a new password. The current one is asked for unless the login just gave it (a one-time
 * password being replaced). The server then starts a new session and ends every other one.
 */
export function ChangePasswordForm({
  knownCurrentPassword,
  submitLabel = 'Change password',
  onChanged,
}: {
  knownCurrentPassword?: string | undefined;
  submitLabel?: string;
  onChanged: () => void;
}) {
  const [typedCurrent, setCurrent] = useState('');
  // The prop may arrive after the first render (the login publishes the session, then hands it over).
  const current = knownCurrentPassword ?? typedCurrent;
  const [next, setNext] = useState('');
  const [repeated, setRepeated] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<AuthFailure | null>(null);
  const hintId = useId();
  const problemId = useId();
  const problem = newPasswordProblem(next, repeated, current || undefined);
  const showProblem = submitted && problem !== null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (problem) return;
    setPending(true);
    setFailure(null);
    try {
      await changePassword(current, next);
      onChanged();
    } catch (error) {
      setFailure(
        error instanceof AuthFailure ? error : new AuthFailure('server', 'The change failed. Try again.'),
      );
      setPending(false);
    }
  };

  return (
    <form className="auth-form" aria-label="Change password" onSubmit={(e) => void submit(e)} noValidate>
      {knownCurrentPassword === undefined && (
        <label className="field">
          <span>Current password</span>
          <input
            className="input"
            type="password"
            autoComplete="current-password"
            required
            maxLength={1024}
            value={typedCurrent}
            aria-invalid={failure?.kind === 'wrong-password' || undefined}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </label>
      )}
      <label className="field">
        <span>New password</span>
        <input
          className="input"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          maxLength={256}
          value={next}
          aria-invalid={showProblem || undefined}
          aria-describedby={showProblem ? `${hintId} ${problemId}` : hintId}
          onChange={(e) => setNext(e.target.value)}
        />
      </label>
      <p id={hintId} className="field-hint">
        At least 12 characters. Length matters most: a few unrelated words work well.
      </p>
      <label className="field">
        <span>Repeat the new password</span>
        <input
          className="input"
          type="password"
          autoComplete="new-password"
          required
          maxLength={256}
          value={repeated}
          aria-invalid={showProblem || undefined}
          aria-describedby={showProblem ? problemId : undefined}
          onChange={(e) => setRepeated(e.target.value)}
        />
      </label>
      {showProblem && (
        <p id={problemId} className="field-error" role="alert">
          {problem}
        </p>
      )}
      {failure && <AuthFailureNotice failure={failure} />}
      <button type="submit" className="button" data-variant="primary" disabled={pending}>
        {pending ? 'Saving…' : submitLabel}
      </button>
    </form>
  );
}
