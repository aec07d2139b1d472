import { BadRequestError, type NodeService, type PolicyService } from '@tierscope/shared';
import type { Federation } from '../query/federated-node-service.ts';
import type { TierPolicy } from './tier-policy.ts';

export interface FederatedPolicyOptions {
  /** This tier's policy, when it keeps one (it has a database for its versions). */
  tier: TierPolicy | undefined;
  /** The node's own service: a parent's `policy.receive` is its policy agent's to take. */
  self: NodeService | undefined;
  /** The path that names this tier itself (a node's id); the root has none. */
  ownPath: string | undefined;
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
  return {
    publish: (input, actor) =>
      isOwn(input.nodePath) ? tier().publish(input, actor) : forwarded.publish(input, actor),
    rollback: (input, actor) =>
      isOwn(input.nodePath)
        ? tier().rollback(input.version, input.comment, actor)
        : forwarded.rollback(input, actor),
    versions: async (input) => (isOwn(input.nodePath) ? tier().versions() : forwarded.versions(input)),
    version: async (input) =>
      isOwn(input.nodePath) ? tier().version(input.version) : forwarded.version(input),
    status: (input) => (isOwn(input.nodePath) ? tier().status() : forwarded.status(input)),
    receive: (input, actor) => {
      if (!options.self) throw new BadRequestError(`${federation.id} takes no policy from a parent`);
      return options.self.policy.receive(input, actor);
    },
  };
}
