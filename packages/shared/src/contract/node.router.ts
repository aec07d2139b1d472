import { NotFoundError } from './errors.ts';
import {
  ChildTokenInput,
  NodeInfo,
  NodePing,
  RevokedChildToken,
  RotatedChildToken,
  WatchNodeInput,
} from './node.schemas.ts';
import { NodeHistory, NodeHistoryInput } from './node-history.schemas.ts';
import { watchNodeInfo } from './node.service.ts';
import { adminProcedure, router, viewerProcedure } from './trpc.ts';

export const nodeInfoRouter = router({
  info: viewerProcedure.output(NodeInfo).query(({ ctx }) => ctx.node.node.info()),
  /**
   * Liveness for a parent's heartbeat: answers from the process without touching the store, so a
   * parent can beat twice a second per child cheaply. It asks nothing of the service on purpose.
   */
  /** The node's own series (ingest rate, queue depth, devices online, dead letters), per node of the subtree. */
  history: viewerProcedure
    .input(NodeHistoryInput)
    .output(NodeHistory)
    .query(({ ctx, input }) => ctx.node.node.history(input)),
  ping: viewerProcedure.output(NodePing).query(() => ({ at: Date.now() })),
  /** A subscription: the node's info now and every `intervalMs`; stops when the caller unsubscribes. */
  watch: viewerProcedure
    .input(WatchNodeInput)
    .subscription(({ ctx, input, signal }) => watchNodeInfo(ctx.node.node, input, signal)),
  rotateChildToken: adminProcedure
    .meta({ audit: 'node.token.rotate' })
    .input(ChildTokenInput)
    .output(RotatedChildToken)
    .mutation(({ ctx, input }) => {
      if (!ctx.node.node.rotateChildToken) throw new NotFoundError(`${input.nodePath} has no children`);
      return ctx.node.node.rotateChildToken(input, ctx.actor);
    }),
  revokeChildToken: adminProcedure
    .meta({ audit: 'node.token.revoke' })
    .input(ChildTokenInput)
    .output(RevokedChildToken)
    .mutation(({ ctx, input }) => {
      if (!ctx.node.node.revokeChildToken) throw new NotFoundError(`${input.nodePath} has no children`);
      return ctx.node.node.revokeChildToken(input, ctx.actor);
    }),
});
