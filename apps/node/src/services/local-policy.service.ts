import { BadRequestError, type PolicyService } from '@tierscope/shared';
import type { LocalNodeServiceDeps } from './local-node.types.ts';

/**
 * A node takes the policy its parent hands it; authoring (publish, rollback, versions, status) is a
 * federating tier's, whose federated service answers those instead of this one.
 */
export function createLocalPolicyService(deps: LocalNodeServiceDeps): PolicyService {
  const authorsNone = async (): Promise<never> => {
    throw new BadRequestError(`${deps.nodeId} authors no policy: only a federating tier does`);
  };
  return {
    receive: (desired, actor) => deps.policyAgent.apply(desired, actor),
    publish: authorsNone,
    rollback: authorsNone,
    versions: authorsNone,
    version: authorsNone,
    status: authorsNone,
  };
}
