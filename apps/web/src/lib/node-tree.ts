import type { Coverage, NodeAnswer } from '@tierscope/shared/domain';
import type { ChildAttachment, NodeChild, NodeInfo } from '@tierscope/shared/schemas';

/**
 * `live`: its parent heard from it recently. `stale`: what is shown is an old copy (its info has
 * not been refreshed, or its parent is itself out of touch). `down`: it missed its heartbeats.
 */
export type NodeStatus = 'live' | 'stale' | 'down';

/** Info older than this is shown as stale; a parent refreshes a child's info every few seconds. */
export const STALE_AFTER_MS = 15_000;

/** One node of the tier tree, flattened for lists: the root (the BFF) has the path "". */
export interface TreeNode {
  path: string;
  name: string;
  depth: number;
  parentPath: string | null;
  childPaths: string[];
  /** How its parent reaches it; null for the root, and for a child of a parent that does not say. */
  attachment: ChildAttachment | null;
  status: NodeStatus;
  /** How old the data shown for this node is; null when it never answered. */
  ageMs: number | null;
  /** Why it is not live, in words: "missed heartbeats", "via district-1, which is down". */
  reason: string | null;
  /** The node's info as last known; null when it never answered. */
  info: NodeInfo | null;
}

/** The tree under `root` in depth-first order, the root first, children sorted by path. */
export function flattenNodeTree(root: NodeInfo): TreeNode[] {
  const rows: TreeNode[] = [];
  const rootRow: TreeNode = {
    path: '',
    name: root.name,
    depth: 0,
    parentPath: null,
    childPaths: childrenOf(root).map((c) => c.path),
    attachment: null,
    status: 'live',
    ageMs: 0,
    reason: null,
    info: root,
  };
  rows.push(rootRow);
  visitChildren(rootRow, rows);
  return rows;
}

function childrenOf(info: NodeInfo | null): NodeChild[] {
  return [...(info?.children ?? [])].sort((a, b) => a.path.localeCompare(b.path));
}

function visitChildren(parent: TreeNode, rows: TreeNode[]): void {
  for (const child of childrenOf(parent.info)) {
    const row = childRow(child, parent);
    rows.push(row);
    visitChildren(row, rows);
  }
}

function childRow(child: NodeChild, parent: TreeNode): TreeNode {
  const base = {
    path: child.path,
    name: child.info?.name ?? child.path.slice(child.path.lastIndexOf('/') + 1),
    depth: parent.depth + 1,
    parentPath: parent.path,
    childPaths: childrenOf(child.info).map((c) => c.path),
    attachment: child.attachment ?? null,
    info: child.info,
  };
  const parentAge = parent.ageMs ?? 0;
  if (child.state === 'down' || child.info === null)
    return {
      ...base,
      status: 'down',
      ageMs: child.ageMs === null ? null : child.ageMs + parentAge,
      reason: child.info === null ? 'has not answered yet' : 'missed heartbeats',
    };
  const ageMs = (child.ageMs ?? 0) + parentAge;
  if (parent.status !== 'live')
    return { ...base, status: 'stale', ageMs, reason: `via ${parent.name}, which is ${parent.status}` };
  if (ageMs > STALE_AFTER_MS) return { ...base, status: 'stale', ageMs, reason: 'info not refreshed' };
  return { ...base, status: 'live', ageMs, reason: null };
}

export function findNode(rows: readonly TreeNode[], path: string): TreeNode | undefined {
  return rows.find((row) => row.path === path);
}

/** The node at `path` and everything under it. */
export function subtreeOf(rows: readonly TreeNode[], path: string): TreeNode[] {
  return rows.filter((row) => path === '' || row.path === path || row.path.startsWith(`${path}/`));
}

/** Nodes that hold devices themselves: those with no children. */
export function leavesOf(rows: readonly TreeNode[]): TreeNode[] {
  return rows.filter((row) => row.path !== '' && row.childPaths.length === 0);
}

/**
 * A number summed over a subtree's nodes that are not down. A down node's last-known figures
 * describe the past, so they are left out and the sum becomes a lower bound (see subtreeHasDown).
 */
export function subtreeSum(
  rows: readonly TreeNode[],
  path: string,
  pick: (info: NodeInfo) => number,
): number {
  return subtreeOf(rows, path).reduce(
    (sum, row) => sum + (row.info && row.status !== 'down' ? pick(row.info) : 0),
    0,
  );
}

/** Samples per second committed in a subtree, over its nodes that are not down. */
export function subtreeIngestRate(rows: readonly TreeNode[], path: string): number {
  return subtreeSum(rows, path, (info) => info.ingest.samplesPerSec);
}

/** Whether a node in the subtree is down, making its sums lower bounds. */
export function subtreeHasDown(rows: readonly TreeNode[], path: string): boolean {
  return subtreeOf(rows, path).some((row) => row.status === 'down');
}

/**
 * The tree's health in the shape of a fan-out's coverage, so one badge reads both: every node
 * under `scope` is asked; a down node is `unreachable`, a stale one answered with an old copy.
 */
export function coverageOfTree(rows: readonly TreeNode[], scope = ''): Coverage {
  const nodes: NodeAnswer[] = subtreeOf(rows, scope)
    .filter((row) => row.path !== '')
    .map((row) => ({
      path: row.path,
      state: row.status === 'down' ? 'unreachable' : 'ok',
      latencyMs: 0,
      ...(row.status !== 'live' && row.ageMs !== null && { ageMs: row.ageMs }),
    }));
  return { asked: nodes.length, answered: nodes.filter((n) => n.state === 'ok').length, nodes };
}

/** A node's policy at a glance: the refusal it last made, else the versions it runs. */
export type PolicyBadge =
  { kind: 'rejected'; text: string; reason: string } | { kind: 'applied'; text: string };

/**
 * From `node.info`'s policy: `rejected` (with whose version and why) while its last refusal stands,
 * else the versions in force by author ("bff v3 · district-1 v2"); null for a node that runs none
 * or predates fleet policy.
 */
export function policyBadgeOf(info: NodeInfo | null): PolicyBadge | null {
  const policy = info?.policy;
  if (!policy) return null;
  if (policy.rejection) {
    const { author, version, reason } = policy.rejection;
    return { kind: 'rejected', text: 'rejected', reason: `${author} v${version}: ${reason}` };
  }
  if (policy.applied.length === 0) return null;
  return { kind: 'applied', text: policy.applied.map((a) => `${a.author} v${a.version}`).join(' · ') };
}
