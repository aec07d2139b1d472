import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgSequence, pgTable, text } from 'drizzle-orm/pg-core';

/** Orders every change of every command: the watch stream's resumable ids. */
export const commandChangeSeq = pgSequence('device_command_change_seq');

/** Commands sent to this node's devices and what became of them (times in epoch ms). */
export const deviceCommands = pgTable(
  'device_commands',
  {
    id: text('id').primaryKey(),
    /** The sequence number of its latest change. */
    seq: bigint('seq', { mode: 'number' }).notNull(),
    deviceId: text('device_id').notNull(),
    name: text('name').notNull(),
    params: jsonb('params').$type<Record<string, unknown>>().notNull(),
    state: text('state', {
      enum: ['queued', 'sent', 'succeeded', 'failed', 'timed_out', 'expired'],
    }).notNull(),
    timeoutMs: integer('timeout_ms').notNull(),
    ttlMs: integer('ttl_ms').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    sentAt: bigint('sent_at', { mode: 'number' }),
    finishedAt: bigint('finished_at', { mode: 'number' }),
    result: jsonb('result').$type<Record<string, unknown>>(),
    error: text('error'),
    /** The bulk command it was sent in (`devices.commandMany`), the same id at every node. */
    jobId: text('job_id'),
  },
  (t) => [
    check(
      'device_commands_state_check',
      sql`${t.state} in ('queued', 'sent', 'succeeded', 'failed', 'timed_out', 'expired')`,
    ),
    // History pages, newest first.
    index('device_commands_device_created_idx').on(t.deviceId, t.createdAt, t.id),
    // A watch resumes after a sequence number.
    index('device_commands_device_seq_idx').on(t.deviceId, t.seq),
    // A bulk command's outcomes, read by its job id.
    index('device_commands_job_idx')
      .on(t.jobId)
      .where(sql`${t.jobId} is not null`),
    // Open commands are read at start and on reconnects.
    index('device_commands_open_idx')
      .on(t.deviceId)
      .where(sql`${t.state} in ('queued', 'sent')`),
  ],
);
