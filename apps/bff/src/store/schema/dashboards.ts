import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
} from 'drizzle-orm/pg-core';
import type { DashboardDocument } from '@tierscope/shared';
import { users } from './users.ts';

/**
 * Dashboards operators build (docs/decisions/0035-dashboards.md). `document` is what the contract's
 * DashboardDocument validates; visibility and the minimum role are columns too, so listing what a
 * caller may see is one indexed query.
 */
export const dashboards = pgTable(
  'dashboards',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    title: text('title').notNull(),
    /** Null for the dashboards the product ships (`seed` set). */
    ownerId: bigint('owner_id', { mode: 'number' }).references(() => users.id, { onDelete: 'cascade' }),
    visibility: text('visibility', { enum: ['private', 'shared'] }).notNull(),
    /** For shared ones: the least role that may view it. */
    minRole: text('min_role', { enum: ['viewer', 'operator', 'admin'] }),
    /** Layout, panels, range and the rest, as the contract's DashboardDocument. */
    document: jsonb('document').$type<DashboardDocument>().notNull(),
    version: integer('version').notNull(),
    /** `fleet-overview`, `kind-<kind>`: made at start when missing. */
    seed: text('seed').unique(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('dashboards_owner').on(t.ownerId),
    check(
      'dashboards_sharing_check',
      sql`(${t.visibility} = 'private' and ${t.minRole} is null) or (${t.visibility} = 'shared' and ${t.minRole} is not null)`,
    ),
  ],
);
