import { inScope, type Actor, type NodeChild, type NodeInfo, type Scope } from '@tierscope/shared';
import { runAsActor } from './acting-user.ts';
import { scopeForMember, type PathMember } from './path-filter.ts';
import type { RemoteNode } from './remote-node.ts';

/**
 * A user's scope over a fan-out's members: members outside it are dropped; the others are called
 * as the user, with the scope translated into each member's own path space (so the member, and
 * the nodes below it, enforce it again on their side).
 */
export function scopeMembers<
  M extends PathMember & { prefix: string; remote: RemoteNode; actor?: Actor | undefined },
>(members: readonly M[], actor: Actor | undefined, prefix: string): M[] {
  if (!actor?.scope) return [...members];
  const out: M[] = [];
  for (const member of members) {
    const applied = scopeForMember(member, actor.scope, prefix);
    if (!applied.selected) continue;
    const memberActor: Actor = { ...actor, scope: applied.scope };
    out.push({ ...member, actor: memberActor, remote: actingAs(member.remote, memberActor) });
  }
  return out;
}

/** Every call of `remote` made as `actor` (mutations take theirs as an argument: `member.actor`). */
function actingAs(remote: RemoteNode, actor: Actor): RemoteNode {
  const wrapped: Record<string, Record<string, unknown>> = {};
  for (const [groupName, group] of Object.entries(remote) as [string, Record<string, unknown>][]) {
    wrapped[groupName] = {};
    for (const [name, method] of Object.entries(group)) {
      if (typeof method !== 'function') continue;
      const call = method as (...args: unknown[]) => unknown;
      wrapped[groupName][name] = (...args: unknown[]) => runAsActor(actor, () => call(...args));
    }
  }
  return wrapped as unknown as RemoteNode;
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
