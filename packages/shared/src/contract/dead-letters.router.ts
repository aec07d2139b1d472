import { ListDeadLettersInput } from './dead-letters.schemas.ts';
import { router, viewerProcedure } from './trpc.ts';

export const deadLettersRouter = router({
  /** A page has no `.output()`: the parent checks what it takes (docs/decisions/0012). */
  list: viewerProcedure
    .meta({ page: true })
    .input(ListDeadLettersInput)
    .query(({ ctx, input }) => ctx.node.deadLetters.list(input)),
});
