import { isInSubtree, stripPathPrefix } from '@tierscope/shared';
/*
 * A `nodePath` filter on a list ("this node and its subtree"), as each member of a fan-out sees it.
 * Members whose subtree the filter does not touch are not asked at all, so a filtered answer's
 * coverage names only the nodes that matter.
 */

export interface PathMember {
  kind: 'self' | 'child';
  /** The member's path in this tier's output space. */
  path: string;
}

/** Whether `member` holds any item the filter selects. */
export function memberSelected(member: PathMember, filter: string | undefined): boolean {
  if (filter === undefined) return true;
  // A node's own items all carry its own path.
  if (member.kind === 'self') return member.path === filter || member.path.startsWith(`${filter}/`);
  return isInSubtree(member.path, filter) || filter.startsWith(`${member.path}/`);
}

/**
 * The filter to send a selected member: none when the filter contains its whole subtree, else the
 * path inside it with this tier's prefix removed.
 */
export function filterForMember(
  member: PathMember,
  filter: string | undefined,
  prefix: string,
): string | undefined {
  if (filter === undefined || isInSubtree(member.path, filter)) return undefined;
  return stripPathPrefix(filter, prefix);
}

/**
 * How a user's scope (subtree roots in this tier's output space) applies to one member: not asked
 * at all, asked without limits (its whole subtree is in scope), or asked with the roots inside it,
 * translated into its own path space.
 */
export function scopeForMember(
  member: PathMember,
  scope: readonly string[] | undefined,
  prefix: string,
): { selected: false } | { selected: true; scope: string[] | undefined } {
  if (scope === undefined) return { selected: true, scope: undefined };
  if (scope.some((root) => isInSubtree(member.path, root))) return { selected: true, scope: undefined };
  if (member.kind === 'self') return { selected: false };
  const inside = scope.filter((root) => root.startsWith(`${member.path}/`));
  if (inside.length === 0) return { selected: false };
  return {
    selected: true,
    scope: inside.map((root) => stripPathPrefix(root, prefix)),
  };
}
