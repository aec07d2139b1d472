import type { Actor } from '../domain/roles.ts';
import type {
  DesiredPolicy,
  ListPolicyVersionsInput,
  PolicyApplyResult,
  PolicyStatus,
  PolicyStatusInput,
  PolicyVersion,
  PolicyVersionList,
  PolicyVersionRef,
  PolicyVersionSummary,
  PublishPolicyInput,
  RollbackPolicyInput,
} from './policy.schemas.ts';

/**
 * Fleet policy (docs/decisions/0021). A federating tier authors versions for its subtree
 * (`publish`, `rollback`, `versions`, `version`, `status`); every node takes what its parent hands
 * it (`apply`). A call naming another tier's `nodePath` is forwarded to it; a leaf authors nothing
 * (BadRequestError).
 */
export interface PolicyService {
  publish(input: PublishPolicyInput, actor: Actor): Promise<PolicyVersionSummary>;
  rollback(input: RollbackPolicyInput, actor: Actor): Promise<PolicyVersionSummary>;
  versions(input: ListPolicyVersionsInput): Promise<PolicyVersionList>;
  /** NotFoundError for a version the author never published. */
  version(input: PolicyVersionRef): Promise<PolicyVersion>;
  status(input: PolicyStatusInput): Promise<PolicyStatus>;
  receive(input: DesiredPolicy, actor: Actor): Promise<PolicyApplyResult>;
}
