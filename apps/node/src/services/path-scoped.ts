import { isInSubtree, selfCoverage, type Coverage } from '@tierscope/shared';

/**
 * True when a `nodePath` list filter names this node or one of its ancestors. Every item of a leaf
 * carries its own path, so the filter selects all of them (the query runs without it) or none.
 */
export function pathSelects(filter: string | undefined, ownPath: string): boolean {
  return filter === undefined || isInSubtree(ownPath, filter);
}

/** The page a leaf answers a `nodePath` filter that selects none of its items. */
export function emptyOwnPage(ownPath: string): { items: never[]; nextCursor: null; coverage: Coverage } {
  return { items: [], nextCursor: null, coverage: selfCoverage(ownPath, 0) };
}
