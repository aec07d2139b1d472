import {
  decodeEventCursor,
  encodeEventCursor,
  eventKeyOf,
  eventPositionForOwnItems,
  selfCoverage,
  type DeviceEvent,
  type EventsService,
  type SearchEventsInput,
} from '@tierscope/shared';
import type { LocalNodeServiceDeps } from './local-node.types.ts';
import { afterEventPosition, byCodePoint, epochMs, SqlParams, whereAll } from './order-sql.ts';
import { emptyOwnPage, pathSelects } from './path-scoped.ts';
import { cutPage, elapsedSince } from './paging.ts';

/** An events row as the statement returns it: the contract's fields but the node path. */
type EventRow = Omit<DeviceEvent, 'nodePath'>;

/**
 * One statement per call, in the global order: newest first, then id as text (COLLATE "C").
 * Asks for `limit + 1` rows, the extra one only proving there is a next page.
 */
function searchStatement(input: SearchEventsInput, nodePath: string): { text: string; params: unknown[] } {
  const params = new SqlParams();
  const where: string[] = [];
  const query = input.query?.trim();
  if (query) where.push(`e.search @@ websearch_to_tsquery('simple', ${params.add(query)})`);
  if (input.severity) where.push(`e.severity = ${params.add(input.severity)}`);
  if (input.deviceId) where.push(`e.device_id = ${params.add(input.deviceId)}`);
  if (input.from !== undefined)
    where.push(`e.ts >= ${params.add(new Date(input.from).toISOString())}::timestamptz`);
  if (input.to !== undefined)
    where.push(`e.ts < ${params.add(new Date(input.to).toISOString())}::timestamptz`);
  if (input.cursor) {
    const position = eventPositionForOwnItems(decodeEventCursor(input.cursor), nodePath);
    where.push(afterEventPosition('e.ts', 'e.id', position, params));
  }
  // Times are converted after the limit: only the page's rows pay for it, not every row sorted.
  const order = `e.ts desc, ${byCodePoint('e.id', true)}`;
  const text = `select e.id::text as id, e.device_id as "deviceId", ${epochMs('e.ts')} as ts, e.type,
      e.severity, e.message, e.attrs
    from (select e.id, e.device_id, e.ts, e.type, e.severity, e.message, e.attrs from events e
      ${whereAll(where)} order by ${order} limit ${params.add(input.limit + 1)}) e
    order by ${order}`;
  return { text, params: params.values };
}

/** events.search in the global order: newest first, then id as text (COLLATE "C"). */
export function createLocalEventsService(deps: LocalNodeServiceDeps): EventsService {
  const { store, nodePath } = deps;
  return {
    async search(input) {
      if (!pathSelects(input.nodePath, nodePath)) return emptyOwnPage(nodePath);
      const started = performance.now();
      const { text, params } = searchStatement(input, nodePath);
      const rows = await store.execPrepared<EventRow>(text, params);
      const page = cutPage(
        rows,
        input.limit,
        (row): DeviceEvent => ({ ...row, nodePath }),
        (event) => encodeEventCursor(eventKeyOf(event)),
      );
      return { ...page, coverage: selfCoverage(nodePath, elapsedSince(started)) };
    },
  };
}
