import { NodeInfo, NodePing, WatchNodeInput } from './node.schemas.ts';
import { watchNodeInfo } from './node.service.ts';
import { router, viewerProcedure } from './trpc.ts';

export const nodeInfoRouter = router({
  info: viewerProcedure.output(NodeInfo).query(({ ctx }) => ctx.node.node.info()),
  /**
   * Liveness for a parent's heartbeat: answers from the process without touching the store, so a
   * parent can beat twice a second per child cheaply. It asks nothing of the service on purpose.
   */
  ping: viewerProcedure.output(NodePing).query(() => ({ at: Date.now() })),
  /** A subscription: the node's info now and every `intervalMs`; stops when the caller unsubscribes. */
  watch: viewerProcedure
    .input(WatchNodeInput)
    .subscription(({ ctx, input, signal }) => watchNodeInfo(ctx.node.node, input, signal)),
});
