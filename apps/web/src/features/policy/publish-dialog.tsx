import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { PolicyContent, PolicyVersionSummary } from '@tierscope/shared/schemas';
import { useId, useState, type FormEvent } from 'react';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { api } from '../../lib/trpc.ts';
import { useModalDialog } from '../../lib/use-modal-dialog.ts';
import { TextField } from '../../components/ui/form-fields.tsx';
import { POLICY_QUERY_KEYS } from './policy-queries.ts';

const DEFAULT_HOLD_SECONDS = '30';
const MAX_HOLD_SECONDS = 24 * 3600;

/**
 * Publishes `content` as a new version: a comment, the canary nodes that take it first and how long
 * they must hold before the rest do. It stays mounted while closed, so what was typed survives a
 * refusal and a second try.
 */
export function PublishDialog({
  open,
  content,
  nodePaths,
  onClose,
  onPublished,
}: {
  open: boolean;
  content: PolicyContent | null;
  /** Every node of the fleet, canary candidates. */
  nodePaths: readonly string[];
  onClose: () => void;
  onPublished: (version: PolicyVersionSummary) => void;
}) {
  const titleId = useId();
  const [comment, setComment] = useState('');
  const [canaries, setCanaries] = useState<readonly string[]>([]);
  const [holdSeconds, setHoldSeconds] = useState(DEFAULT_HOLD_SECONDS);
  const queryClient = useQueryClient();
  const hold = Number(holdSeconds.trim());
  const holdError =
    holdSeconds.trim() === '' || !Number.isFinite(hold) || hold < 0 || hold > MAX_HOLD_SECONDS
      ? `0 to ${MAX_HOLD_SECONDS} seconds.`
      : undefined;

  const publish = useMutation({
    mutationFn: (input: { content: PolicyContent }) =>
      api.policy.publish.mutate({
        content: input.content,
        comment: comment.trim(),
        canaries: [...canaries],
        canaryHoldMs: Math.round(hold * 1000),
      }),
    onSuccess: async (version) => {
      onPublished(version);
      setComment('');
      setCanaries([]);
      await Promise.all(POLICY_QUERY_KEYS.map((queryKey) => queryClient.invalidateQueries({ queryKey })));
    },
  });

  // A refusal belongs to the content it refused: a new try starts without it.
  const dialogRef = useModalDialog(open, publish.reset);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (content && !holdError) publish.mutate({ content });
  };
  const toggle = (path: string) =>
    setCanaries((list) => (list.includes(path) ? list.filter((p) => p !== path) : [...list, path]));

  return (
    <dialog ref={dialogRef} className="dialog" aria-labelledby={titleId} onClose={onClose}>
      <form className="stack" onSubmit={submit} noValidate>
        <h2 id={titleId}>Publish policy</h2>
        <p className="muted">
          A new immutable version. With canaries, only they take it first; the other nodes follow once every
          canary applied it and stayed healthy for the hold time. Without, every node takes it at once.
        </p>
        <TextField label="Comment" value={comment} grow onChange={setComment} />
        <fieldset className="canary-picker">
          <legend>Canary nodes</legend>
          {nodePaths.length === 0 ? (
            <p className="muted">The node tree has not arrived yet.</p>
          ) : (
            <ul className="plain-list">
              {nodePaths.map((path) => (
                <li key={path}>
                  <label className="check-row">
                    <input
                      type="checkbox"
                      className="checkbox"
                      checked={canaries.includes(path)}
                      onChange={() => toggle(path)}
                    />
                    <span className="mono">{path}</span>
                  </label>
                </li>
              ))}
            </ul>
          )}
        </fieldset>
        <TextField
          label="Canary hold (seconds)"
          value={holdSeconds}
          numeric
          error={holdError}
          hint="How long every canary must have run it, healthy, before the rest take it"
          onChange={setHoldSeconds}
        />
        {publish.error && <ErrorNotice error={publish.error} />}
        <div className="row-gap wrap">
          <button
            type="submit"
            className="button"
            data-variant="primary"
            disabled={!content || publish.isPending || holdError !== undefined}
          >
            {publish.isPending
              ? 'Publishing…'
              : canaries.length > 0
                ? `Publish to ${canaries.length} ${canaries.length === 1 ? 'canary' : 'canaries'} first`
                : 'Publish to every node'}
          </button>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
