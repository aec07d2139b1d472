import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { decodeCursor, DeadLetterReason, selfCoverage, type DeadLettersService } from '@tierscope/shared';
import { deadLetters } from '../store/schema.ts';
import type { LocalNodeServiceDeps } from './local-node.types.ts';
import { cutPage, elapsedSince } from './paging.ts';

const DeadLetterCursor = z.object({ id: z.number().int() });

export function createLocalDeadLettersService(deps: LocalNodeServiceDeps): DeadLettersService {
  const { db } = deps.store;
  return {
    async list(input) {
      const started = performance.now();
      const where: SQL[] = [];
      if (input.reason) where.push(eq(deadLetters.reason, input.reason));
      if (input.cursor) where.push(lt(deadLetters.id, decodeCursor(input.cursor, DeadLetterCursor).id));
      const rows = await db
        .select()
        .from(deadLetters)
        .where(and(...where))
        .orderBy(desc(deadLetters.id))
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
        (row) => ({ id: row.id }),
      );
      return { ...page, coverage: selfCoverage(deps.nodePath, elapsedSince(started)) };
    },
  };
}
