import { sql } from 'drizzle-orm';
import { bigint, check, integer, pgTable } from 'drizzle-orm/pg-core';

/** One row: the highest journal sequence whose batch is committed. */
export const ingestCheckpoint = pgTable(
  'ingest_checkpoint',
  {
    id: integer('id').primaryKey().default(1),
    seq: bigint('seq', { mode: 'number' }).notNull(),
  },
  (t) => [check('ingest_checkpoint_single_row', sql`${t.id} = 1`)],
);
