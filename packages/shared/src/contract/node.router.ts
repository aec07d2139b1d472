import { NodeInfo, WatchNodeInput } from './node.schemas.ts';
import { watchNodeInfo } from './node.service.ts';
import { router, viewerProcedure } from './trpc.ts';

export const nodeInfoRouter = router({
  info: viewerProcedure.output(NodeInfo).query(({ ctx }) => ctx.node.node.info()),
  /** A subscription: the node's info now and every `intervalMs`; stops when the caller unsubscribes. */
  watch: viewerProcedure
    .input(WatchNodeInput)
    .subscription(({ ctx, input, signal }) => watchNodeInfo(ctx.node.node, input, signal)),
});
