import { sql } from 'drizzle-orm';
import { bigserial, customType, index, jsonb, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    deviceId: text('device_id').notNull(),
    ts: timestamp('ts', { withTimezone: true }).notNull(),
    type: text('type').notNull(),
    severity: text('severity', { enum: ['info', 'warning', 'critical'] }).notNull(),
    message: text('message').notNull(),
    attrs: jsonb('attrs').$type<Record<string, unknown>>().notNull().default({}),
    // 'simple': device messages mix languages and codes; stemming would only hide exact terms.
    search: tsvector('search')
      .notNull()
      .generatedAlwaysAs(sql`to_tsvector('simple', "type" || ' ' || "message")`),
  },
  (t) => [
    unique('events_device_ts_type_key').on(t.deviceId, t.ts, t.type),
    index('events_ts_idx').on(t.ts.desc(), t.id.desc()),
    index('events_search_idx').using('gin', t.search),
  ],
);
