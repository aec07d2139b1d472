import { isInSubtree, selfCoverage, type Cursor, type Coverage } from '@tierscope/shared';

interface PathFiltered {
  nodePath?: string | undefined;
}

/** True when a `nodePath` list filter names this node or one of its ancestors. */
export function pathSelects(filter: string | undefined, ownPath: string): boolean {
  return filter === undefined || isInSubtree(ownPath, filter);
}

/**
 * A leaf's list call under a `nodePath` filter: every item of a leaf carries its own path, so the
 * filter either selects all of them (the query runs without it) or none (an empty page at once).
 */
export function listOwnPath<I extends PathFiltered, T>(
  ownPath: string,
  list: (input: I) => Promise<{ items: T[]; nextCursor: Cursor | null; coverage: Coverage }>,
): (input: I) => Promise<{ items: T[]; nextCursor: Cursor | null; coverage: Coverage }> {
  return (input) => {
    if (!pathSelects(input.nodePath, ownPath))
      return Promise.resolve({ items: [], nextCursor: null, coverage: selfCoverage(ownPath, 0) });
    return list({ ...input, nodePath: undefined });
  };
}
