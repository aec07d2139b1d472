import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import {
  decodeEventCursor,
  encodeEventCursor,
  eventKeyOf,
  eventPositionForOwnItems,
  selfCoverage,
  type EventsService,
} from '@tierscope/shared';
import { events } from '../store/schema.ts';
import type { LocalNodeServiceDeps } from './local-node.types.ts';
import { afterEventPosition, byCodePoint } from './order-sql.ts';
import { cutPage, elapsedSince } from './paging.ts';

/** events.search in the global order: newest first, then id as text (COLLATE "C"). */
export function createLocalEventsService(deps: LocalNodeServiceDeps): EventsService {
  const { db } = deps.store;
  return {
    async search(input) {
      const started = performance.now();
      const where: SQL[] = [];
      const query = input.query?.trim();
      if (query) where.push(sql`${events.search} @@ websearch_to_tsquery('simple', ${query})`);
      if (input.severity) where.push(eq(events.severity, input.severity));
      if (input.deviceId) where.push(eq(events.deviceId, input.deviceId));
      if (input.from !== undefined) where.push(gte(events.ts, new Date(input.from)));
      if (input.to !== undefined) where.push(lt(events.ts, new Date(input.to)));
      if (input.cursor) {
        const position = eventPositionForOwnItems(decodeEventCursor(input.cursor), deps.nodePath);
        where.push(afterEventPosition(events.ts, events.id, position));
      }
      const rows = await db
        .select({
          id: events.id,
          deviceId: events.deviceId,
          ts: events.ts,
          type: events.type,
          severity: events.severity,
          message: events.message,
          attrs: events.attrs,
        })
        .from(events)
        .where(and(...where))
        .orderBy(desc(events.ts), byCodePoint(events.id, true))
        .limit(input.limit + 1);
      const page = cutPage(
        rows,
        input.limit,
        (row) => ({ ...row, id: String(row.id), nodePath: deps.nodePath, ts: row.ts.getTime() }),
        (event) => encodeEventCursor(eventKeyOf(event)),
      );
      return { ...page, coverage: selfCoverage(deps.nodePath, elapsedSince(started)) };
    },
  };
}
