import { DeadLetterPage, ListDeadLettersInput } from './dead-letters.schemas.ts';
import { router, viewerProcedure } from './trpc.ts';

export const deadLettersRouter = router({
  list: viewerProcedure
    .input(ListDeadLettersInput)
    .output(DeadLetterPage)
    .query(({ ctx, input }) => ctx.node.deadLetters.list(input)),
});
