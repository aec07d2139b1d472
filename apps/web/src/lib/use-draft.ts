import { useEffect, useState } from 'react';

/**
 * An input's own text, which follows `committed` (the URL's value) whenever that changes from
 * outside, e.g. on back and forward navigation.
 */
export function useDraft(committed: string): [string, (next: string) => void] {
  const [draft, setDraft] = useState(committed);
  const [followed, setFollowed] = useState(committed);
  if (committed !== followed) {
    setFollowed(committed);
    setDraft(committed);
  }
  return [draft, setDraft];
}

/** Typing settles for this long before a search lands in the URL (and so starts a query). */
export const TYPING_SETTLE_MS = 300;

/** Calls `commit` with the draft once typing has settled, unless it already is the committed value. */
export function useCommitWhenSettled(
  draft: string,
  committed: string,
  commit: (value: string) => void,
): void {
  useEffect(() => {
    if (draft === committed) return;
    const timer = setTimeout(() => commit(draft), TYPING_SETTLE_MS);
    return () => clearTimeout(timer);
  }, [draft, committed, commit]);
}
