import { SearchEventsInput } from './events.schemas.ts';
import { router, viewerProcedure } from './trpc.ts';

export const eventsRouter = router({
  /** A page has no `.output()`: the parent checks what it takes (docs/decisions/0012). */
  search: viewerProcedure
    .meta({ page: true })
    .input(SearchEventsInput)
    .query(({ ctx, input }) => ctx.node.events.search(input)),
});
