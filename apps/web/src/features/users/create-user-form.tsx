import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Role } from '@tierscope/shared/domain';
import { NewPassword, Username, type ConsoleUser } from '@tierscope/shared/schemas';
import { useId, useState, type FormEvent } from 'react';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { api } from '../../lib/trpc.ts';
import { InitialPasswordField } from './initial-password-field.tsx';
import { RoleSelect } from './role-select.tsx';
import { parseScopeText } from './scope-text.ts';
import { usersQueryOptions } from './user-queries.ts';

export interface NewUserDraft {
  name: string;
  role: Role;
  scopeText: string;
  password: string;
}

/** The draft as `console.users.create` input, or the first problem in words (the server checks again). */
export function newUserInput(
  draft: NewUserDraft,
): { input: { name: string; role: Role; scope: string[]; password: string } } | { problem: string } {
  const name = Username.safeParse(draft.name);
  if (!name.success)
    return { problem: 'User name: 1–64 of a–z, 0–9, ".", "_", "@", "-", starting with a letter or digit.' };
  const scope = parseScopeText(draft.scopeText);
  if ('problem' in scope) return scope;
  if (!NewPassword.safeParse(draft.password).success)
    return { problem: 'First password: at least 12 characters (or press Generate).' };
  return { input: { name: name.data, role: draft.role, scope: scope.scope, password: draft.password } };
}

const EMPTY: NewUserDraft = { name: '', role: 'viewer', scopeText: '', password: '' };

/** A new user with a role, the node subtrees they may see, and a first password they must replace. */
export function CreateUserForm({ onCreated }: { onCreated: (user: ConsoleUser, password: string) => void }) {
  const [draft, setDraft] = useState<NewUserDraft>(EMPTY);
  const [submitted, setSubmitted] = useState(false);
  const queryClient = useQueryClient();
  const problemId = useId();
  const scopeHintId = useId();
  const checked = newUserInput(draft);
  const problem = submitted && 'problem' in checked ? checked.problem : null;
  const create = useMutation({
    mutationFn: (input: Parameters<typeof api.console.users.create.mutate>[0]) =>
      api.console.users.create.mutate(input),
    onSuccess: async (user) => {
      onCreated(user, draft.password);
      setDraft(EMPTY);
      setSubmitted(false);
      await queryClient.invalidateQueries({ queryKey: usersQueryOptions().queryKey });
    },
  });
  const set = (patch: Partial<NewUserDraft>) => setDraft((d) => ({ ...d, ...patch }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if ('input' in checked) create.mutate(checked.input);
  };

  return (
    <form className="toolbar admin-form" aria-label="New user" onSubmit={submit} noValidate>
      <label className="field">
        <span>User name</span>
        <input
          className="input"
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          maxLength={64}
          value={draft.name}
          onChange={(e) => set({ name: e.target.value })}
        />
      </label>
      <RoleSelect value={draft.role} onChange={(role) => set({ role })} />
      <label className="field grow">
        <span>Scope</span>
        <input
          className="input mono"
          placeholder="** (every node)"
          spellCheck={false}
          autoCapitalize="off"
          value={draft.scopeText}
          aria-describedby={scopeHintId}
          onChange={(e) => set({ scopeText: e.target.value })}
        />
      </label>
      <InitialPasswordField
        label="First password"
        value={draft.password}
        onChange={(password) => set({ password })}
        invalid={problem !== null && problem.startsWith('First password')}
      />
      <button type="submit" className="button" data-variant="primary" disabled={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create user'}
      </button>
      <p id={scopeHintId} className="field-hint full-width">
        Scope: node subtrees, separated by commas — <code>district-1</code> or <code>district-1/**</code> is
        that node and everything below it; empty or <code>**</code> is every node. The user chooses their own
        password at the first login.
      </p>
      {problem && (
        <p id={problemId} className="field-error full-width" role="alert">
          {problem}
        </p>
      )}
      {create.error && (
        <div className="full-width">
          <ErrorNotice error={create.error} />
        </div>
      )}
    </form>
  );
}
