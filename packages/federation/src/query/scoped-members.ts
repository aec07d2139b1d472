import { inScope, type Actor, type NodeChild, type NodeInfo, type Scope } from '@tierscope/shared';
import { scopeForMember, type PathMember } from './path-filter.ts';

/**
 * A user's scope over a fan-out's members: members outside it are dropped; the others carry the
 * user with the scope translated into their own path space, as whom every call to them is made
 * (so the member, and the nodes below it, enforce it again on their side).
 */
export function scopeMembers<M extends PathMember & { actor?: Actor | undefined }>(
  members: readonly M[],
  actor: Actor | undefined,
  prefix: string,
): M[] {
  if (!actor?.scope) return [...members];
  const out: M[] = [];
  for (const member of members) {
    const applied = scopeForMember(member, actor.scope, prefix);
    if (!applied.selected) continue;
    out.push({ ...member, actor: { ...actor, scope: applied.scope } });
  }
  return out;
}

/**
 * A child's info as a scoped user may see it: only the nodes in scope, with device counts summed
 * over them (a lower bound, since a partly visible node's own devices are not counted).
 */
export function pruneChildInfo(child: NodeChild, scope: Scope | undefined): NodeChild | undefined {
  if (scope === undefined || inScope(scope, child.path)) return child;
  if (!scope.some((root) => root.startsWith(`${child.path}/`))) return undefined;
  const info = child.info;
  if (!info) return { ...child, info: null };
  const kept = (info.children ?? []).flatMap((c) => {
    const pruned = pruneChildInfo(c, scope);
    return pruned ? [pruned] : [];
  });
  const total = kept.reduce((sum, c) => sum + (c.info?.devices.total ?? 0), 0);
  const online = kept.reduce((sum, c) => sum + (c.info?.devices.online ?? 0), 0);
  const prunedInfo: NodeInfo = { ...info, children: kept, devices: { total, online, lowerBound: true } };
  return { ...child, info: prunedInfo };
}
