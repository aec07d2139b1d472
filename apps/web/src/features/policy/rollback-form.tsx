import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { PolicyVersionSummary } from '@tierscope/shared/schemas';
import { useState, type FormEvent } from 'react';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { api } from '../../lib/trpc.ts';
import { POLICY_QUERY_KEYS } from './policy-queries.ts';

/**
 * Confirms a rollback to `version` with a comment: its content is published again as a new
 * version, released to every node at once (no canaries).
 */
export function RollbackForm({
  version,
  onDone,
}: {
  version: number;
  onDone: (published: PolicyVersionSummary | null) => void;
}) {
  const [comment, setComment] = useState('');
  const queryClient = useQueryClient();
  const rollback = useMutation({
    mutationFn: () => api.policy.rollback.mutate({ version, comment: comment.trim() }),
    onSuccess: async (published) => {
      onDone(published);
      await Promise.all(POLICY_QUERY_KEYS.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    rollback.mutate();
  };
  return (
    <form className="toolbar confirm-box" aria-label={`Roll back to version ${version}`} onSubmit={submit}>
      <p className="full-width">
        Version {version}’s content becomes a new version, released to every node at once, without canaries.
      </p>
      <label className="field grow">
        <span>Comment</span>
        <input
          className="input"
          maxLength={1000}
          value={comment}
          placeholder={`Back to v${version} because…`}
          onChange={(e) => setComment(e.target.value)}
        />
      </label>
      <button type="submit" className="button" data-variant="primary" disabled={rollback.isPending}>
        {rollback.isPending ? 'Rolling back…' : `Roll back to v${version}`}
      </button>
      <button type="button" className="button" onClick={() => onDone(null)}>
        Cancel
      </button>
      {rollback.error && (
        <div className="full-width">
          <ErrorNotice error={rollback.error} />
        </div>
      )}
    </form>
  );
}
