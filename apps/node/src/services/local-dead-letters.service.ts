import { and, desc, eq, type SQL } from 'drizzle-orm';
import {
  DeadLetterReason,
  decodeEventCursor,
  encodeEventCursor,
  eventPositionForOwnItems,
  selfCoverage,
  type DeadLettersService,
} from '@tierscope/shared';
import { deadLetters } from '../store/schema.ts';
import type { LocalNodeServiceDeps } from './local-node.types.ts';
import { afterEventPosition, byCodePoint } from './order-sql.ts';
import { cutPage, elapsedSince } from './paging.ts';

/**
 * Dead letters in the order parents merge them (mergeDeadLetterPages): newest receivedAt first,
 * then id as text (COLLATE "C"); the cursor is an events-order position with ts = receivedAt.
 */
export function createLocalDeadLettersService(deps: LocalNodeServiceDeps): DeadLettersService {
  const { db } = deps.store;
  return {
    async list(input) {
      const started = performance.now();
      const where: SQL[] = [];
      if (input.reason) where.push(eq(deadLetters.reason, input.reason));
      if (input.cursor) {
        const position = eventPositionForOwnItems(decodeEventCursor(input.cursor), deps.nodePath);
        where.push(afterEventPosition(deadLetters.receivedAt, deadLetters.id, position));
      }
      const rows = await db
        .select()
        .from(deadLetters)
        .where(and(...where))
        .orderBy(desc(deadLetters.receivedAt), byCodePoint(deadLetters.id, true))
        .limit(input.limit + 1);
      const page = cutPage(
        rows,
        input.limit,
        (row) => ({
          id: String(row.id),
          nodePath: deps.nodePath,
          receivedAt: row.receivedAt.getTime(),
          topic: row.topic,
          // Stored by the ingest from the same enum; parse keeps the contract type honest.
          reason: DeadLetterReason.parse(row.reason),
          detail: row.detail,
          payloadPreview: row.payloadPreview,
          size: row.size,
        }),
        (d) => encodeEventCursor({ ts: d.receivedAt, path: d.nodePath, id: d.id }),
      );
      return { ...page, coverage: selfCoverage(deps.nodePath, elapsedSince(started)) };
    },
  };
}
