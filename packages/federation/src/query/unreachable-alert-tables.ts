import { bigint, bigserial, index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';

/*
 * The BFF's own `node unreachable` alerts, shared by its replicas (NodeUnreachableAlerts in
 * packages/federation, written through `sqlUnreachableAlertStore`; decision 17).
 */

/** Every change of those alerts, in commit order: `seq` is the live stream's event id on every replica. */
export const nodeUnreachableChanges = pgTable(
  'node_unreachable_changes',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    alertId: text('alert_id').notNull(),
    kind: text('kind').notNull(),
    at: bigint('at', { mode: 'number' }).notNull(),
    /** The alert as it is after the change. */
    alert: jsonb('alert').notNull(),
  },
  (table) => [index('node_unreachable_changes_alert').on(table.alertId)],
);

/** One row per lost child while its alert is open: replicas that lose it together raise one alert. */
export const nodeUnreachableOpen = pgTable('node_unreachable_open', {
  subjectPath: text('subject_path').primaryKey(),
  alertId: text('alert_id').notNull(),
});
