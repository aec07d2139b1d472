import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { decodeCursor, selfCoverage, type EventsService } from '@tierscope/shared';
import { events } from '../store/schema.ts';
import type { LocalNodeServiceDeps } from './local-node.types.ts';
import { cutPage, elapsedSince } from './paging.ts';

const EventCursor = z.object({ ts: z.number().int(), id: z.number().int() });

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
        const after = decodeCursor(input.cursor, EventCursor);
        where.push(sql`(${events.ts}, ${events.id}) < (${new Date(after.ts).toISOString()}::timestamptz, ${after.id})`);
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
        .orderBy(desc(events.ts), desc(events.id))
        .limit(input.limit + 1);
      const page = cutPage(
        rows,
        input.limit,
        (row) => ({ ...row, id: String(row.id), nodePath: deps.nodePath, ts: row.ts.getTime() }),
        (row) => ({ ts: row.ts.getTime(), id: row.id }),
      );
      return { ...page, coverage: selfCoverage(deps.nodePath, elapsedSince(started)) };
    },
  };
}
