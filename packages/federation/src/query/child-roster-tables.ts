import { bigint, index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';

/*
 * What a federating tier keeps so a bulk command names the devices of a child that does not answer
 * (ChildRosters and sqlJobSelectorStore in packages/federation; decision 38).
 */

/** Each child's devices (its whole subtree) as the tier last read them: one row per child, replaced whole. */
export const childRosters = pgTable('child_rosters', {
  childId: text('child_id').primaryKey(),
  syncedAt: bigint('synced_at', { mode: 'number' }).notNull(),
  /** RosterDevice[]: id, node path (the child's own space), kind, site, labels, status. */
  devices: jsonb('devices').notNull(),
});

/** The selector of each bulk command this tier took, so reading the job back can select from a roster. */
export const commandJobSelectors = pgTable(
  'command_job_selectors',
  {
    jobId: text('job_id').primaryKey(),
    selector: jsonb('selector').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (table) => [index('command_job_selectors_created').on(table.createdAt)],
);
