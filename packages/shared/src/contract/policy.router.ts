import {
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
import { adminProcedure, router, viewerProcedure } from './trpc.ts';

export const policyRouter = router({
  /** A new immutable version of the authoring tier's policy, rolled out canaries first. */
  publish: adminProcedure
    .meta({ audit: 'policy.publish' })
    .input(PublishPolicyInput)
    .output(PolicyVersionSummary)
    .mutation(({ ctx, input }) => ctx.node.policy.publish(input, ctx.actor)),
  /** Republishes an earlier version's content as a new version, to every node at once. */
  rollback: adminProcedure
    .meta({ audit: 'policy.rollback' })
    .input(RollbackPolicyInput)
    .output(PolicyVersionSummary)
    .mutation(({ ctx, input }) => ctx.node.policy.rollback(input, ctx.actor)),
  versions: viewerProcedure
    .input(ListPolicyVersionsInput)
    .output(PolicyVersionList)
    .query(({ ctx, input }) => ctx.node.policy.versions(input)),
  version: viewerProcedure
    .input(PolicyVersionRef)
    .output(PolicyVersion)
    .query(({ ctx, input }) => ctx.node.policy.version(input)),
  /** Every node of the author's subtree: the version meant for it against the one it runs. */
  status: viewerProcedure
    .input(PolicyStatusInput)
    .output(PolicyStatus)
    .query(({ ctx, input }) => ctx.node.policy.status(input)),
  /**
   * A parent hands this node the policy its ancestors want it to hold: the node checks it against
   * itself, activates it or refuses it whole, and passes it on to its own children.
   */
  receive: adminProcedure
    .meta({ audit: 'policy.receive' })
    .input(DesiredPolicy)
    .output(PolicyApplyResult)
    .mutation(({ ctx, input }) => ctx.node.policy.receive(input, ctx.actor)),
});
