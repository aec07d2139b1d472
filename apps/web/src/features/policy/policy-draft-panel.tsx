import { useQueryClient } from '@tanstack/react-query';
import type { PolicyContent, PolicyVersionSummary } from '@tierscope/shared/schemas';
import { useEffect, useState } from 'react';
import { ErrorNotice } from '../../components/ui/notices.tsx';
import { contentFromDraft, draftFromContent, type DraftProblem, type PolicyDraft } from './policy-draft.ts';
import { PolicyDraftEditor } from './policy-draft-editor.tsx';
import { policyVersionQueryOptions } from './policy-queries.ts';
import { PublishDialog } from './publish-dialog.tsx';

/** The draft outlives a page change and a reload in this tab, so nothing typed is lost by leaving. */
const DRAFT_STORAGE_KEY = 'tierscope.policyDraft';

function readKeptDraft(): PolicyDraft | null {
  try {
    const text = globalThis.sessionStorage?.getItem(DRAFT_STORAGE_KEY);
    return text ? (JSON.parse(text) as PolicyDraft) : null;
  } catch {
    return null;
  }
}

function useKeptDraft(): [PolicyDraft | null, (next: PolicyDraft | null) => void] {
  const [draft, setDraft] = useState<PolicyDraft | null>(readKeptDraft);
  useEffect(() => {
    if (draft) globalThis.sessionStorage?.setItem(DRAFT_STORAGE_KEY, JSON.stringify(draft));
    else globalThis.sessionStorage?.removeItem(DRAFT_STORAGE_KEY);
  }, [draft]);
  return [draft, setDraft];
}

/**
 * The admin's draft of the next version: started from the current version's content (or empty),
 * edited bundle by bundle, checked whole against the contract, then published through the dialog.
 */
export function PolicyDraftPanel({
  currentVersion,
  nodePaths,
}: {
  currentVersion: number | null;
  nodePaths: readonly string[];
}) {
  const [draft, setDraft] = useKeptDraft();
  const [starting, setStarting] = useState<{ error: unknown } | 'loading' | null>(null);
  const [problems, setProblems] = useState<DraftProblem[]>([]);
  const [checked, setChecked] = useState<PolicyContent | null>(null);
  const [published, setPublished] = useState<PolicyVersionSummary | null>(null);
  const [confirmingDiscard, setConfirmingDiscard] = useState(false);
  const queryClient = useQueryClient();

  const start = async (version: number | null) => {
    setPublished(null);
    if (version === null) return setDraft(draftFromContent(null, null));
    setStarting('loading');
    try {
      const full = await queryClient.fetchQuery(policyVersionQueryOptions(version));
      setDraft(draftFromContent(full.content, version));
      setStarting(null);
    } catch (error) {
      setStarting({ error });
    }
  };

  const review = () => {
    if (!draft) return;
    const result = contentFromDraft(draft);
    if ('problems' in result) {
      setProblems(result.problems);
      return;
    }
    setProblems([]);
    setChecked(result.content);
  };

  return (
    <section className="panel" aria-labelledby="policy-draft-title" data-testid="policy-draft">
      <header className="panel-header">
        <div className="panel-title">
          <h2 id="policy-draft-title">Draft</h2>
          {draft && (
            <span className="panel-summary">
              {draft.baseVersion === null ? 'from empty' : `from v${draft.baseVersion}`}
              {currentVersion !== null &&
                draft.baseVersion !== null &&
                currentVersion !== draft.baseVersion &&
                ` · v${currentVersion} has been published since`}
            </span>
          )}
        </div>
      </header>
      <div className="panel-body stack">
        {published && (
          <div className="notice" data-tone="ok" role="status">
            <div className="notice-body">
              <p>
                Published version {published.version}
                {published.canaries.length > 0
                  ? `: first to ${published.canaries.join(', ')}, the rest after ${published.canaryHoldMs / 1000} s healthy.`
                  : ' to every node.'}
              </p>
            </div>
          </div>
        )}
        {!draft ? (
          <div className="row-gap wrap">
            {currentVersion !== null && (
              <button
                type="button"
                className="button"
                data-variant="primary"
                disabled={starting === 'loading'}
                onClick={() => void start(currentVersion)}
              >
                Edit a draft of v{currentVersion}
              </button>
            )}
            <button type="button" className="button" onClick={() => void start(null)}>
              Start an empty draft
            </button>
          </div>
        ) : (
          <>
            <PolicyDraftEditor draft={draft} onChange={setDraft} />
            {problems.length > 0 && (
              <div className="notice" data-tone="bad" role="alert" data-testid="draft-problems">
                <div className="notice-body">
                  <p className="notice-title">
                    {problems.length} {problems.length === 1 ? 'problem' : 'problems'} to fix before
                    publishing
                  </p>
                  <ul>
                    {problems.map((problem, index) => (
                      <li key={index}>
                        <strong>{problem.where}</strong>: {problem.message}
                      </li>
                    ))}
                  </ul>
                </div>
              </div>
            )}
            <div className="row-gap wrap">
              <button type="button" className="button" data-variant="primary" onClick={review}>
                Publish…
              </button>
              <button
                type="button"
                className="button"
                onClick={() => {
                  setConfirmingDiscard(!confirmingDiscard);
                }}
                aria-expanded={confirmingDiscard}
              >
                Discard draft…
              </button>
              {confirmingDiscard && (
                <button
                  type="button"
                  className="button"
                  onClick={() => {
                    setDraft(null);
                    setProblems([]);
                    setConfirmingDiscard(false);
                  }}
                >
                  Discard every change
                </button>
              )}
            </div>
          </>
        )}
        {starting !== null && starting !== 'loading' && <ErrorNotice error={starting.error} />}
      </div>
      <PublishDialog
        open={checked !== null}
        content={checked}
        nodePaths={nodePaths}
        onClose={() => setChecked(null)}
        onPublished={(version) => {
          setChecked(null);
          setDraft(null);
          setPublished(version);
        }}
      />
    </section>
  );
}
