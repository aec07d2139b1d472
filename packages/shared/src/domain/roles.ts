import { z } from 'zod';
import { isInSubtree, NodePath } from './ids.ts';

/** viewer reads; operator also acks, silences and commands; admin also manages rules, users, nodes. */
export const Role = z.enum(['viewer', 'operator', 'admin']);
export type Role = z.infer<typeof Role>;

export const roleRank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export function roleAllows(actual: Role, required: Role): boolean {
  return roleRank[actual] >= roleRank[required];
}

/**
 * The subtrees a user may see, as node paths in the answering tier's path space (`district-1`
 * covers district-1 and everything beneath it). Absent: the whole tree.
 */
export const Scope = z.array(NodePath).max(32);
export type Scope = z.infer<typeof Scope>;

/** Who is calling: a console user, a parent node acting for one, or the node itself. */
export const Actor = z.object({
  kind: z.enum(['user', 'node', 'system']),
  name: z.string().min(1).max(128),
  role: Role,
  scope: Scope.optional(),
});
export type Actor = z.infer<typeof Actor>;

/** True when `path` lies in one of the scope's subtrees (always, without a scope). */
export function inScope(scope: Scope | undefined, path: string): boolean {
  return scope === undefined || scope.some((root) => isInSubtree(path, root));
}

/** A stored scope pattern (`district-1/**` or `district-1`) as the subtree root it names. */
export function scopeRoot(pattern: string): string {
  return pattern.endsWith('/**') ? pattern.slice(0, -3) : pattern;
}
