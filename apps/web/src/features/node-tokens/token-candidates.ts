import type { TreeNode } from '../../lib/node-tree.ts';

/** A node that may hold a token for its parent's uplink: any node below the root. */
export interface TokenCandidate {
  path: string;
  name: string;
  /** The node that knows its token (the one it dials); "" is the BFF. */
  parentPath: string;
  status: TreeNode['status'];
}

/**
 * The children in the tree, each with the parent that holds its token. node.info does not say
 * whether a child dials its parent's uplink or is dialled by it; a child that is dialled has no
 * token, and the server answers so when asked to rotate one.
 */
export function tokenCandidates(rows: readonly TreeNode[]): TokenCandidate[] {
  return rows
    .filter((row): row is TreeNode & { parentPath: string } => row.parentPath !== null)
    .map((row) => ({ path: row.path, name: row.name, parentPath: row.parentPath, status: row.status }));
}
