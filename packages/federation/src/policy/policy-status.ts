import {
  bundlesFor,
  type NodeInfo,
  type NodePolicyState,
  type PolicyNodeStatus,
  type PolicyVersion,
} from '@tierscope/shared';

/** One node of a tier's info tree, as the tier last heard of it. */
export interface TreeNode {
  path: string;
  /** False when the node, or a tier between it and here, misses its heartbeats. */
  reachable: boolean;
  /** How old what is known of it is; null for the tier itself and for a node never heard. */
  ageMs: number | null;
  info: NodeInfo | null;
}

/**
 * Every node below a tier's `node.info` (in that tier's paths), with the tier itself unless it
 * is the root (the BFF runs no policy of its own). A node under a lost tier is unreachable too:
 * what is known of it is that tier's last word.
 */
export function treeNodes(root: NodeInfo, includeRoot: boolean): TreeNode[] {
  const nodes: TreeNode[] = includeRoot
    ? [{ path: root.path, reachable: true, ageMs: null, info: root }]
    : [];
  const visit = (info: NodeInfo | null, reachable: boolean, inheritedAgeMs: number | null) => {
    for (const child of info?.children ?? []) {
      const childReachable = reachable && child.state === 'up';
      const ageMs = maxAge(child.ageMs, inheritedAgeMs);
      nodes.push({ path: child.path, reachable: childReachable, ageMs, info: child.info });
      visit(child.info, childReachable, ageMs);
    }
  };
  visit(root, true, null);
  return nodes;
}

function maxAge(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

/** The version of `current` meant for the node at `path` now, or null when it reaches it with nothing. */
export function desiredVersionFor(
  current: PolicyVersion,
  previous: PolicyVersion | undefined,
  path: string,
): number | null {
  const takesCurrent = current.phase === 'released' || current.canaries.includes(path);
  const version = takesCurrent ? current : previous;
  if (!version) return null;
  return bundlesFor(version.content.bundles, path).length > 0 ? version.version : null;
}

/** How the node at `node.path` stands against what `author` wants it to run. */
export function nodeStatus(
  author: string,
  current: PolicyVersion | undefined,
  previous: PolicyVersion | undefined,
  node: TreeNode,
): PolicyNodeStatus {
  const policy: NodePolicyState | undefined = node.info?.policy;
  const applied = policy?.applied.find((a) => a.author === author) ?? null;
  const desiredVersion = current ? desiredVersionFor(current, previous, node.path) : null;
  const appliedVersion = applied?.version ?? null;
  const rejection = policy?.rejection ?? null;
  // A refusal of an older version of this author's is history; another author's explains the wait.
  const refused = rejection !== null && (rejection.author !== author || rejection.version === desiredVersion);
  const state: PolicyNodeStatus['state'] = !node.reachable
    ? 'unreachable'
    : appliedVersion === desiredVersion && policy !== undefined
      ? 'applied'
      : refused
        ? 'rejected'
        : 'pending';
  return {
    path: node.path,
    state,
    desiredVersion,
    appliedVersion,
    appliedAt: policy?.appliedAt ?? null,
    rejection: state === 'applied' ? null : rejection,
    canary: current?.canaries.includes(node.path) ?? false,
    lastSeenAgeMs: node.ageMs,
  };
}
