import type { AlertNotification } from '@tierscope/shared';
import type { RawExecutor } from '@tierscope/store';
import type { OutboxInsert } from './notification-plan.ts';

/** How a notification goes out: POSTed to a route, mailed, or pushed to a browser's subscription. */
export type NotificationChannel = 'webhook' | 'email' | 'push';

/** A notification claimed for one attempt. */
export interface ClaimedNotification {
  id: number;
  webhookId: string;
  changeSeq: number;
  fingerprint: string;
  /** The stored payload as JSON text: the request body, sent as is. */
  body: string;
  /** Attempts so far, this one included. */
  attempt: number;
  /**
   * `webhook`: POST `body` to the route `webhookId`; `email`: `body` is an AlertEmail; `push`:
   * `body` is a PushNotification, signed and encrypted when sent.
   */
  channel: NotificationChannel;
}

/** One notification about an alert as this tier's outbox holds it: whom, how, when, and how it went. */
export interface StoredNotification {
  recipient: string;
  recipientName: string;
  channel: NotificationChannel;
  webhookId: string;
  event: string;
  escalationId: string | null;
  /** epoch ms */
  createdAt: number;
  attempts: number;
  deliveredAt: number | null;
  failedAt: number | null;
  lastError: string | null;
}

/** The `notification_outbox` table: what is still to be sent, and what became of the rest. */
export interface OutboxStore {
  /**
   * Inserts the rows, skipping any already stored for the same webhook, source and change (a
   * replay). Pass the change's transaction as `tx` so the rows commit with the change or not at all.
   */
  insert(rows: readonly OutboxInsert[], tx?: RawExecutor): Promise<number>;
  /**
   * Claims up to `limit` rows due at `now`, leasing each until `leaseUntil`: a worker that dies
   * mid-send leaves the row to be sent again once the lease runs out (at least once). A row waits
   * while an earlier change of the same alert to the same webhook is unsent, so a receiver never
   * sees `resolved` before its `firing`. Safe with several workers (rows are taken SKIP LOCKED).
   */
  claimDue(now: number, limit: number, leaseUntil: number): Promise<ClaimedNotification[]>;
  /** Marks every row in `ids` delivered at `at`, in one statement. */
  markDelivered(ids: readonly number[], at: number): Promise<void>;
  scheduleRetry(id: number, nextAttemptAt: number, error: string): Promise<void>;
  /** Stops the row for good (kept with its error for the console). */
  markFailed(id: number, at: number, error: string): Promise<void>;
  /**
   * Epoch ms when the next row may be claimed (a lease running out counts), or undefined when
   * nothing is unsent. Rows waiting behind an earlier change of their alert do not count.
   */
  nextDueAt(): Promise<number | undefined>;
  /** Rows neither delivered nor failed. */
  pendingCount(): Promise<number>;
  /** The notifications about the alert `alertId`, oldest first (at most 500). */
  forAlert(alertId: string, tx?: RawExecutor): Promise<StoredNotification[]>;
  /** By alert: the recipients this tier queued a `firing` notification for, in one statement. */
  firingRecipients(alertIds: readonly string[], tx?: RawExecutor): Promise<Map<string, Set<string>>>;
  /** Per webhook with any: rows neither delivered nor failed, and when the oldest was written. */
  unsentByWebhook(): Promise<UnsentNotifications[]>;
}

export interface UnsentNotifications {
  webhookId: string;
  count: number;
  /** epoch ms */
  oldestAt: number;
}

const UNSENT = 'delivered_at is null and failed_at is null';

const INSERT = `
with ins as (
  insert into notification_outbox (webhook_id, source, change_seq, fingerprint, payload, created_at, next_attempt_at,
                                   channel, recipient, recipient_name, alert_id, event, escalation_id)
  select "webhookId", source, "changeSeq", fingerprint, payload, to_timestamp("createdAt" / 1000.0), to_timestamp("nextAttemptAt" / 1000.0),
         coalesce(channel, 'webhook'), recipient, "recipientName", "alertId", event, "escalationId"
    from jsonb_to_recordset($1::jsonb)
      as x("webhookId" text, source text, "changeSeq" int8, fingerprint text, payload jsonb, "createdAt" float8, "nextAttemptAt" float8,
           channel text, recipient text, "recipientName" text, "alertId" text, event text, "escalationId" text)
  on conflict (webhook_id, source, change_seq) do nothing
  returning 1
)
select count(*)::int as inserted from ins`;

// An unsent row is sendable when no earlier change of the same alert to the same webhook is unsent
// (seqs compare only within one source: each change log numbers its own).
const FIRST_IN_LINE = `not exists (
  select 1 from notification_outbox e
   where e.webhook_id = n.webhook_id and e.source = n.source and e.fingerprint = n.fingerprint
     and e.change_seq < n.change_seq
     and e.delivered_at is null and e.failed_at is null)`;

const CLAIM_DUE = `
update notification_outbox o
   set attempts = o.attempts + 1, next_attempt_at = to_timestamp($3::float8 / 1000.0)
  from (
    select id from notification_outbox n
     where ${UNSENT} and next_attempt_at <= to_timestamp($1::float8 / 1000.0) and ${FIRST_IN_LINE}
     order by next_attempt_at, id
     limit $2
     for update skip locked
  ) due
 where o.id = due.id
returning o.id::float8 as id, o.webhook_id as "webhookId", o.change_seq::float8 as "changeSeq",
          o.fingerprint, o.payload::text as body, o.attempts as attempt, o.channel`;

/** The outbox over a tier's store; the same SQL on PGlite and PostgreSQL. */
export function createOutboxStore(store: RawExecutor): OutboxStore {
  return {
    async insert(rows, tx = store) {
      if (rows.length === 0) return 0;
      const [result] = await tx.exec<{ inserted: number }>(INSERT, [JSON.stringify(rows)]);
      return result?.inserted ?? 0;
    },

    async claimDue(now, limit, leaseUntil) {
      const rows = await store.exec<ClaimedNotification & Record<string, unknown>>(CLAIM_DUE, [
        now,
        limit,
        leaseUntil,
      ]);
      return rows.sort((a, b) => a.id - b.id);
    },

    async markDelivered(ids, at) {
      if (ids.length === 0) return;
      await store.exec(
        `update notification_outbox set delivered_at = to_timestamp($2::float8 / 1000.0), last_error = null
          where id in (select jsonb_array_elements_text($1::jsonb)::int8) and delivered_at is null`,
        [JSON.stringify(ids), at],
      );
    },

    async scheduleRetry(id, nextAttemptAt, error) {
      await store.exec(
        `update notification_outbox set next_attempt_at = to_timestamp($2::float8 / 1000.0), last_error = $3
          where id = $1::int8 and ${UNSENT}`,
        [id, nextAttemptAt, error],
      );
    },

    async markFailed(id, at, error) {
      await store.exec(
        `update notification_outbox set failed_at = to_timestamp($2::float8 / 1000.0), last_error = $3
          where id = $1::int8 and ${UNSENT}`,
        [id, at, error],
      );
    },

    async nextDueAt() {
      const [row] = await store.exec<{ at: number | null }>(
        `select (extract(epoch from min(next_attempt_at)) * 1000)::float8 as at
           from notification_outbox n where ${UNSENT} and ${FIRST_IN_LINE}`,
      );
      return row?.at ?? undefined;
    },

    unsentByWebhook: () =>
      store.exec<UnsentNotifications & Record<string, unknown>>(
        `select webhook_id as "webhookId", count(*)::int as count,
                (extract(epoch from min(created_at)) * 1000)::float8 as "oldestAt"
           from notification_outbox where ${UNSENT} group by webhook_id`,
      ),

    forAlert: (alertId, tx = store) =>
      tx.exec<StoredNotification & Record<string, unknown>>(
        `select coalesce(recipient, 'route:' || webhook_id) as recipient,
                coalesce(recipient_name, webhook_id) as "recipientName", channel, webhook_id as "webhookId",
                coalesce(event, payload->>'status', 'firing') as event, escalation_id as "escalationId",
                (extract(epoch from created_at) * 1000)::float8 as "createdAt", attempts,
                (extract(epoch from delivered_at) * 1000)::float8 as "deliveredAt",
                (extract(epoch from failed_at) * 1000)::float8 as "failedAt", last_error as "lastError"
           from notification_outbox where alert_id = $1 order by created_at, id limit 500`,
        [alertId],
      ),

    async firingRecipients(alertIds, tx = store) {
      const told = new Map<string, Set<string>>();
      if (alertIds.length === 0) return told;
      const rows = await tx.exec<{ alertId: string; recipient: string }>(
        `select alert_id as "alertId", coalesce(recipient, 'route:' || webhook_id) as recipient
           from notification_outbox
          where alert_id in (select jsonb_array_elements_text($1::jsonb))
            and coalesce(event, payload->>'status', 'firing') = 'firing'`,
        [JSON.stringify(alertIds)],
      );
      for (const { alertId, recipient } of rows) {
        const recipients = told.get(alertId) ?? new Set<string>();
        recipients.add(recipient);
        told.set(alertId, recipients);
      }
      return told;
    },

    async pendingCount() {
      const [row] = await store.exec<{ n: number }>(
        `select count(*)::int as n from notification_outbox where ${UNSENT}`,
      );
      return row?.n ?? 0;
    },
  };
}

/** The tier's stored notifications as the contract lists them, sent by `tier`. */
export function asAlertNotifications(rows: readonly StoredNotification[], tier: string): AlertNotification[] {
  return rows.map((row) => ({
    tier,
    recipient: row.recipient,
    recipientName: row.recipientName,
    channel: row.channel,
    event: row.event as AlertNotification['event'],
    escalationId: row.escalationId,
    createdAt: row.createdAt,
    outcome: row.deliveredAt !== null ? 'delivered' : row.failedAt !== null ? 'failed' : 'pending',
    attempts: row.attempts,
    settledAt: row.deliveredAt ?? row.failedAt,
    lastError: row.lastError,
  }));
}
