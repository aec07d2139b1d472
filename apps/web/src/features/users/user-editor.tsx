import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Role } from '@tierscope/shared/domain';
import { NewPassword, type ConsoleUser } from '@tierscope/shared/schemas';
import { useState, type FormEvent, type ReactNode } from 'react';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { api } from '../../lib/trpc.ts';
import { InitialPasswordField } from './initial-password-field.tsx';
import { RoleSelect } from './role-select.tsx';
import { formatScope, parseScopeText } from './scope-text.ts';
import { usersQueryOptions } from './user-queries.ts';

/**
 * One user's role and scope, password reset, disable/enable and "log out everywhere". Each change
 * the server makes to a role, scope, password or state also ends the user's sessions.
 */
export function UserEditor({ user, onDone }: { user: ConsoleUser; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [outcome, setOutcome] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: usersQueryOptions().queryKey });
  const done = (text: string) => {
    setOutcome(text);
    return refresh();
  };

  const setDisabled = useMutation({
    mutationFn: (disabled: boolean) =>
      disabled
        ? api.console.users.disable.mutate({ id: user.id })
        : api.console.users.enable.mutate({ id: user.id }),
    onSuccess: (next) =>
      done(next.disabled ? `${next.name} is disabled and logged out.` : `${next.name} can log in again.`),
  });
  const revokeSessions = useMutation({
    mutationFn: () => api.console.users.revokeSessions.mutate({ id: user.id }),
    onSuccess: ({ ended }) => done(`Ended ${ended} session${ended === 1 ? '' : 's'} of ${user.name}.`),
  });

  return (
    <div className="user-editor">
      {outcome && (
        <div className="notice" data-tone="ok" role="status">
          <div className="notice-body">
            <p>{outcome}</p>
          </div>
        </div>
      )}
      <EditorSection title="Role and scope">
        <RoleScopeForm key={`${user.id}-${user.updatedAt}`} user={user} onSaved={(text) => void done(text)} />
      </EditorSection>
      <EditorSection title="Password">
        <ResetPasswordForm user={user} onReset={(text) => void done(text)} />
      </EditorSection>
      <EditorSection title="Access">
        <div className="row-gap wrap">
          <button
            type="button"
            className="button"
            disabled={setDisabled.isPending}
            onClick={() => setDisabled.mutate(!user.disabled)}
          >
            {user.disabled ? `Enable ${user.name}` : `Disable ${user.name}`}
          </button>
          <button
            type="button"
            className="button"
            disabled={revokeSessions.isPending}
            onClick={() => revokeSessions.mutate()}
          >
            Log out everywhere
          </button>
          <button type="button" className="button" onClick={onDone}>
            Close
          </button>
        </div>
        {(setDisabled.error ?? revokeSessions.error) && (
          <ErrorNotice error={setDisabled.error ?? revokeSessions.error} />
        )}
      </EditorSection>
    </div>
  );
}

function EditorSection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="editor-section" aria-label={title}>
      <h3>{title}</h3>
      {children}
    </section>
  );
}

function RoleScopeForm({ user, onSaved }: { user: ConsoleUser; onSaved: (text: string) => void }) {
  const [role, setRole] = useState<Role>(user.role);
  const [scopeText, setScopeText] = useState(formatScope(user.scope));
  const scope = parseScopeText(scopeText);
  const update = useMutation({
    mutationFn: (input: { role: Role; scope: string[] }) =>
      api.console.users.update.mutate({ id: user.id, ...input }),
    onSuccess: (next) => onSaved(`${next.name} is now ${next.role}; their sessions have ended.`),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if ('scope' in scope) update.mutate({ role, scope: scope.scope });
  };
  return (
    <form className="toolbar" aria-label={`Role and scope of ${user.name}`} onSubmit={submit}>
      <RoleSelect value={role} onChange={setRole} />
      <label className="field grow">
        <span>Scope</span>
        <input
          className="input mono"
          spellCheck={false}
          autoCapitalize="off"
          value={scopeText}
          aria-invalid={'problem' in scope || undefined}
          onChange={(e) => setScopeText(e.target.value)}
        />
      </label>
      <button
        type="submit"
        className="button"
        data-variant="primary"
        disabled={update.isPending || 'problem' in scope}
      >
        {update.isPending ? 'Saving…' : 'Save'}
      </button>
      {'problem' in scope && (
        <p className="field-error full-width" role="alert">
          {scope.problem}
        </p>
      )}
      {update.error && (
        <div className="full-width">
          <ErrorNotice error={update.error} />
        </div>
      )}
    </form>
  );
}

function ResetPasswordForm({ user, onReset }: { user: ConsoleUser; onReset: (text: string) => void }) {
  const [password, setPassword] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const valid = NewPassword.safeParse(password).success;
  const reset = useMutation({
    mutationFn: (next: string) => api.console.users.resetPassword.mutate({ id: user.id, password: next }),
    onSuccess: (next) => {
      onReset(
        `New password for ${next.name}: ${password} — pass it on; they choose their own at the next login.`,
      );
      setPassword('');
      setSubmitted(false);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (valid) reset.mutate(password);
  };
  return (
    <form className="toolbar" aria-label={`Reset the password of ${user.name}`} onSubmit={submit} noValidate>
      <InitialPasswordField
        label="New password"
        value={password}
        onChange={setPassword}
        invalid={submitted && !valid}
      />
      <button type="submit" className="button" disabled={reset.isPending}>
        {reset.isPending ? 'Resetting…' : 'Reset password'}
      </button>
      {submitted && !valid && (
        <p className="field-error full-width" role="alert">
          At least 12 characters (or press Generate).
        </p>
      )}
      {reset.error && (
        <div className="full-width">
          <ErrorNotice error={reset.error} />
        </div>
      )}
    </form>
  );
}
