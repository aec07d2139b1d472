import type { TreeNode } from '../../lib/node-tree.ts';

/** A node that holds a token for its parent's uplink. */
export interface TokenCandidate {
  path: string;
  name: string;
  /** The node that knows its token (the one it dials); "" is the BFF. */
  parentPath: string;
  status: TreeNode['status'];
}

/**
 * The children that attach by uplink, each with the parent that holds its token. A dialled child
 * has no token to rotate; one whose parent does not say how it is attached is listed, and the
 * server answers when it has none.
 */
export function tokenCandidates(rows: readonly TreeNode[]): TokenCandidate[] {
  return rows
    .filter((row): row is TreeNode & { parentPath: string } => row.parentPath !== null)
    .filter((row) => row.attachment !== 'dialled')
    .map((row) => ({ path: row.path, name: row.name, parentPath: row.parentPath, status: row.status }));
}
