import { EventPage, SearchEventsInput } from './events.schemas.ts';
import { router, viewerProcedure } from './trpc.ts';

export const eventsRouter = router({
  search: viewerProcedure
    .input(SearchEventsInput)
    .output(EventPage)
    .query(({ ctx, input }) => ctx.node.events.search(input)),
});
