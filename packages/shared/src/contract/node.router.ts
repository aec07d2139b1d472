import { NodeInfo } from './node.schemas.ts';
import { router, viewerProcedure } from './trpc.ts';

export const nodeInfoRouter = router({
  info: viewerProcedure.output(NodeInfo).query(({ ctx }) => ctx.node.node.info()),
});
