import { bigint, bigserial, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const deadLetters = pgTable('dead_letters', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  /** The journal sequence: a replayed message never stores a second dead letter. */
  seq: bigint('seq', { mode: 'number' }).notNull().unique(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
  topic: text('topic').notNull(),
  reason: text('reason').notNull(),
  detail: text('detail').notNull(),
  payloadPreview: text('payload_preview').notNull(),
  size: integer('size').notNull(),
});
