import { TRPCError } from '@trpc/server';
import {
  BadRequestError,
  inScope,
  type Scope,
  type NodeService,
  type PolicyService,
} from '@tierscope/shared';
import type { Federation } from '../query/federated-node-service.ts';
import type { TierPolicy } from './tier-policy.ts';

export interface FederatedPolicyOptions {
  /** This tier's policy, when it keeps one (it has a database for its versions). */
  tier: TierPolicy | undefined;
  /** The node's own service: a parent's `policy.receive` is its policy agent's to take. */
  self: NodeService | undefined;
  /** The path that names this tier itself (a node's id); the root has none. */
  ownPath: string | undefined;
  /** A scoped caller's scope (in this tier's paths): it sees only its nodes, and authors only below. */
  scope: Scope | undefined;
}

/**
 * The `policy` group of a federating tier: a call for this tier (no `nodePath`, or its own) is its
 * own book's; one naming a tier below is forwarded to it, as every routed call is.
 */
export function createFederatedPolicy(
  federation: Federation,
  options: FederatedPolicyOptions,
): PolicyService {
  const forwarded = federation.forwarded.policy;
  const isOwn = (nodePath: string | undefined) => nodePath === undefined || nodePath === options.ownPath;
  const tier = (): TierPolicy => {
    if (!options.tier) throw new BadRequestError(`${federation.id} keeps no policy versions`);
    return options.tier;
  };
  // Authoring here reaches this tier's whole subtree: a user scoped to part of it may not.
  const author = (): TierPolicy => {
    const path = options.ownPath ?? '';
    if (options.scope !== undefined && (path === '' || !inScope(options.scope, path)))
      throw new TRPCError({
        code: 'FORBIDDEN',
        message: `policy at ${federation.id} reaches beyond your scope`,
      });
    return tier();
  };
  return {
    publish: (input, actor) =>
      isOwn(input.nodePath) ? author().publish(input, actor) : forwarded.publish(input, actor),
    rollback: (input, actor) =>
      isOwn(input.nodePath)
        ? author().rollback(input.version, input.comment, actor)
        : forwarded.rollback(input, actor),
    versions: async (input) => (isOwn(input.nodePath) ? tier().versions() : forwarded.versions(input)),
    version: async (input) =>
      isOwn(input.nodePath) ? tier().version(input.version) : forwarded.version(input),
    status: async (input) => {
      if (!isOwn(input.nodePath)) return forwarded.status(input);
      const status = await tier().status();
      return { ...status, nodes: status.nodes.filter((node) => inScope(options.scope, node.path)) };
    },
    receive: (input, actor) => {
      if (!options.self) throw new BadRequestError(`${federation.id} takes no policy from a parent`);
      return options.self.policy.receive(input, actor);
    },
  };
}
