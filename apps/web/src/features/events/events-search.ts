import { NodePath, Severity } from '@tierscope/shared/domain';
import { z } from 'zod';
import { parseRangeSearch, type RangeSelection } from '../../lib/time-range.ts';

/** The events page's filters in the URL: `/events?q=door&severity=critical&node=probe-d&range=7d`. */
const EventsSearch = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
  severity: Severity.optional().catch(undefined),
  node: NodePath.optional().catch(undefined),
  range: z.string().max(16).optional().catch(undefined),
  from: z.string().max(40).optional().catch(undefined),
  to: z.string().max(40).optional().catch(undefined),
});
export type EventsSearch = z.infer<typeof EventsSearch>;

export const DEFAULT_EVENTS_RANGE = '24h';

/** A value that does not parse is dropped rather than failing the page: a mistyped link still opens. */
export function parseEventsSearch(search: Record<string, unknown>): EventsSearch {
  const parsed = EventsSearch.parse(search);
  return { ...parsed, q: parsed.q || undefined };
}

/** The range the page shows: from the URL, else the last 24 hours. */
export function eventsRange(search: EventsSearch): RangeSelection {
  return parseRangeSearch(search, DEFAULT_EVENTS_RANGE);
}
