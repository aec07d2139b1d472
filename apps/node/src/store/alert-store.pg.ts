import {
  alertSortValue,
  type Actor,
  type Alert,
  type AlertChange,
  type AlertChangeKind,
  type Rule,
  type Silence,
  type SilenceMatchers,
} from '@tierscope/shared';
import type { AlertTransition, OpenAlertFacts } from '../alerting/alert-transitions.ts';
import { audit } from './audit.ts';
import type { RawExecutor, Row, NodeStore } from './client.ts';

/** A change as committed: its seq is the stream's resumable event id. */
export interface CommittedChange {
  seq: number;
  change: AlertChange;
}

/** Whether an alert that fires now is covered by a silence or maintenance window. */
export type SilenceCheck = (alert: { deviceId: string | null; ruleId: string }, at: number) => boolean;

/** Called inside the transaction that stores the changes: the notifier's outbox rows go in with them. */
export type ChangeHook = (tx: RawExecutor, changes: readonly CommittedChange[]) => Promise<void>;

/** Who the audit log names for changes the rule engine makes. */
const ENGINE_ACTOR: Actor = { kind: 'system', name: 'rule-engine', role: 'admin' };

const ms = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;

/** The alert row as the contract's Alert, built in SQL so a change's snapshot is the row as stored. */
const ALERT_JSON = `json_build_object(
  'id', a.id, 'fingerprint', a.fingerprint, 'nodePath', $NODE_PATH::text, 'ruleId', a.rule_id,
  'ruleName', a.rule_name, 'deviceId', a.device_id, 'subjectPath', null, 'severity', a.severity,
  'state', a.state, 'summary', a.summary, 'value', a.value,
  'startedAt', ${ms('a.started_at')}, 'updatedAt', ${ms('a.updated_at')},
  'resolvedAt', case when a.resolved_at is null then null else ${ms('a.resolved_at')} end,
  'ack', case when a.ack_by is null then null
         else json_build_object('by', a.ack_by, 'at', ${ms('a.ack_at')}, 'note', a.ack_note) end,
  'silenced', a.silenced, 'stale', false)`;

function alertJson(nodePathParam: number): string {
  return ALERT_JSON.replace('$NODE_PATH', `$${nodePathParam}`);
}

const INSERT_FIRED = `
INSERT INTO alerts (id, fingerprint, rule_id, rule_name, device_id, severity, state, summary, value,
                    started_at, updated_at, silenced, sort_key)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, to_timestamp($10::float8 / 1000), to_timestamp($11::float8 / 1000), $12, $13)
ON CONFLICT DO NOTHING`;

/** flapping / resolved: only an open alert changes, so a replayed transition changes nothing. */
const UPDATE_STATE = `
UPDATE alerts SET state = $2, summary = $3, value = coalesce($4, value),
       updated_at = to_timestamp($5::float8 / 1000),
       resolved_at = case when $2 = 'resolved' then to_timestamp($5::float8 / 1000) else resolved_at end
 WHERE state <> 'resolved' AND (id = $1 OR ($6::text IS NOT NULL AND fingerprint = $6))
RETURNING id`;

const RECORD_CHANGE = `
INSERT INTO alert_changes (alert_id, kind, at, alert)
SELECT a.id, $2, to_timestamp($3::float8 / 1000), ${alertJson(4)}
  FROM alerts a WHERE a.id = $1
ON CONFLICT DO NOTHING
RETURNING seq::float8 AS seq, alert`;

const CHANGE_ROW = `seq::float8 AS seq, kind, ${ms('at')} AS at, alert`;

export interface AlertListFilter {
  states?: readonly string[] | undefined;
  severity?: string | undefined;
  deviceId?: string | undefined;
  search?: string | undefined;
  /** Strictly after this (sortKey desc, id asc) position. */
  after?: { sortKey: number; id: string; inclusive?: boolean; boundOnly?: boolean } | undefined;
  limit: number;
}

/**
 * The node's alerts, their change log, rules and silences, in raw SQL over the same store as the
 * ingest. Every alert change is written with its change row in one transaction, and the change row
 * is what the live stream replays.
 */
export class AlertStore {
  constructor(
    private readonly store: NodeStore,
    private readonly nodePath: string,
  ) {}

  /**
   * Writes engine transitions in `tx` (the ingest batch's own transaction, or one of its own) and
   * returns the changes that were new. Idempotent: replayed transitions add nothing.
   */
  async writeTransitions(
    tx: RawExecutor,
    transitions: readonly AlertTransition[],
    isSilenced: SilenceCheck,
  ): Promise<CommittedChange[]> {
    const committed: CommittedChange[] = [];
    for (const t of transitions) {
      let alertId = t.alertId;
      if (t.kind === 'fired') {
        const silenced = isSilenced({ deviceId: t.deviceId, ruleId: t.rule.id }, t.at);
        await tx.exec(INSERT_FIRED, [
          t.alertId,
          t.fingerprint,
          t.rule.id,
          t.rule.name,
          t.deviceId,
          t.rule.severity,
          'firing',
          t.summary,
          t.value,
          t.episodeStart,
          t.at,
          silenced,
          alertSortValue({ severity: t.rule.severity, startedAt: t.episodeStart }),
        ]);
      } else {
        const updated = await tx.exec<{ id: string }>(UPDATE_STATE, [
          t.alertId,
          t.kind,
          t.summary,
          t.value,
          t.at,
          // A resolution from a rule change knows the fingerprint, not always the episode.
          t.kind === 'resolved' ? t.fingerprint : null,
        ]);
        if (updated.length === 0) continue;
        alertId = updated[0]!.id;
      }
      const change = await this.recordChange(tx, alertId, t.kind, t.at);
      if (!change) continue;
      committed.push(change);
      await audit(tx, ENGINE_ACTOR, `alert.${t.kind}`, alertId, {
        summary: t.summary,
        value: t.value,
        at: t.at,
      });
    }
    return committed;
  }

  /** Runs `fn` in a transaction of its own (timer transitions, acks). */
  transaction<R>(fn: (tx: RawExecutor) => Promise<R>): Promise<R> {
    return this.store.transaction(fn);
  }

  async recordChange(
    tx: RawExecutor,
    alertId: string,
    kind: AlertChangeKind,
    at: number,
  ): Promise<CommittedChange | undefined> {
    const [row] = await tx.exec<{ seq: number; alert: Alert }>(RECORD_CHANGE, [
      alertId,
      kind,
      at,
      this.nodePath,
    ]);
    return row ? { seq: row.seq, change: { kind, at, alert: row.alert } } : undefined;
  }

  /** Sets or clears the ack; returns the change, or undefined when the alert does not exist. */
  async setAck(
    alertId: string,
    ack: { by: string; at: number; note: string } | null,
    actor: Actor,
    hook: ChangeHook,
    lockSql: string,
  ): Promise<CommittedChange | undefined> {
    return this.store.transaction(async (tx) => {
      await tx.exec(lockSql);
      const at = ack?.at ?? Date.now();
      const updated = await tx.exec(
        `UPDATE alerts SET ack_by = $2, ack_at = to_timestamp($3::float8 / 1000), ack_note = $4,
                updated_at = to_timestamp($5::float8 / 1000)
          WHERE id = $1 RETURNING id`,
        [alertId, ack?.by ?? null, ack?.at ?? null, ack?.note ?? null, at],
      );
      if (updated.length === 0) return undefined;
      const change = await this.recordChange(tx, alertId, ack ? 'acked' : 'unacked', at);
      await audit(tx, actor, ack ? 'alert.ack' : 'alert.unack', alertId, ack ? { note: ack.note } : {});
      if (change) await hook(tx, [change]);
      return change;
    });
  }

  async getAlert(alertId: string): Promise<Alert | undefined> {
    const [row] = await this.store.exec<{ alert: Alert }>(
      `SELECT ${alertJson(2)} AS alert FROM alerts a WHERE a.id = $1`,
      [alertId, this.nodePath],
    );
    return row?.alert;
  }

  async listAlerts(filter: AlertListFilter): Promise<Array<Alert & { sortKey: number }>> {
    const where: string[] = [];
    const params: unknown[] = [this.nodePath];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.states && filter.states.length > 0)
      where.push(`a.state = any(${param(filter.states)}::text[])`);
    if (filter.severity) where.push(`a.severity = ${param(filter.severity)}`);
    if (filter.deviceId) where.push(`a.device_id = ${param(filter.deviceId)}`);
    if (filter.search) {
      const pattern = param(`%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(
        `(a.summary ilike ${pattern} or a.rule_name ilike ${pattern} or a.device_id ilike ${pattern})`,
      );
    }
    const after = filter.after;
    if (after) {
      const key = param(after.sortKey);
      if (after.boundOnly) where.push(after.inclusive ? `a.sort_key <= ${key}` : `a.sort_key < ${key}`);
      else
        where.push(
          `(a.sort_key < ${key} or (a.sort_key = ${key} and a.id collate "C" > ${param(after.id)}))`,
        );
    }
    const rows = await this.store.exec<{ alert: Alert; sort_key: number }>(
      `SELECT ${alertJson(1)} AS alert, a.sort_key::float8 AS sort_key FROM alerts a
        ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY a.sort_key DESC, a.id collate "C" ASC LIMIT ${param(filter.limit)}`,
      params,
    );
    return rows.map((row) => ({ ...row.alert, sortKey: row.sort_key }));
  }

  async openAlertFacts(): Promise<OpenAlertFacts[]> {
    const rows = await this.store.exec<{
      rule_id: string;
      device_id: string;
      started_at: number;
      state: string;
    }>(
      `SELECT rule_id, device_id, ${ms('started_at')} AS started_at, state FROM alerts
        WHERE state <> 'resolved' AND device_id IS NOT NULL`,
    );
    return rows.map((r) => ({
      ruleId: r.rule_id,
      deviceId: r.device_id,
      startedAt: r.started_at,
      state: r.state as OpenAlertFacts['state'],
    }));
  }

  /** The node's own open alerts of a built-in rule (no device): when each episode started. */
  async openNodeAlerts(ruleId: string): Promise<{ fingerprint: string; startedAt: number }[]> {
    return this.store.exec<{ fingerprint: string; startedAt: number }>(
      `SELECT fingerprint, ${ms('started_at')} AS "startedAt" FROM alerts
        WHERE state <> 'resolved' AND rule_id = $1 AND device_id IS NULL`,
      [ruleId],
    );
  }

  /** The newest change's seq; 0 before the first. */
  async lastChangeSeq(): Promise<number> {
    const [row] = await this.store.exec<{ seq: number }>(
      `SELECT coalesce(max(seq), 0)::float8 AS seq FROM alert_changes`,
    );
    return row?.seq ?? 0;
  }

  /** How many changes follow `seq`, and when the first of them was made (null when none). */
  async changesPendingAfter(seq: number): Promise<{ count: number; oldestAt: number | null }> {
    const [row] = await this.store.exec<{ count: number; oldestAt: number | null }>(
      `SELECT count(*)::int AS count, ${ms('min(at)')} AS "oldestAt" FROM alert_changes WHERE seq > $1`,
      [seq],
    );
    return { count: row?.count ?? 0, oldestAt: row?.oldestAt ?? null };
  }

  /** Changes after `seq`, in order. */
  async changesAfter(seq: number, limit: number): Promise<CommittedChange[]> {
    const rows = await this.store.exec(
      `SELECT ${CHANGE_ROW} FROM alert_changes WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [seq, limit],
    );
    return rows.map(toCommittedChange);
  }

  /**
   * The compacted log: each open alert's latest change, in seq order, and the newest seq overall.
   * A subscriber without a last id starts here, then continues after `lastSeq`.
   */
  async openSnapshot(): Promise<{ changes: CommittedChange[]; lastSeq: number }> {
    return this.store.transaction(async (tx) => {
      const rows = await tx.exec(
        `SELECT ${CHANGE_ROW} FROM alert_changes c
          WHERE c.seq IN (SELECT max(seq) FROM alert_changes ch JOIN alerts a ON a.id = ch.alert_id
                           WHERE a.state <> 'resolved' GROUP BY ch.alert_id)
          ORDER BY seq`,
      );
      const [last] = await tx.exec<{ seq: number }>(
        `SELECT coalesce(max(seq), 0)::float8 AS seq FROM alert_changes`,
      );
      return { changes: rows.map(toCommittedChange), lastSeq: last?.seq ?? 0 };
    });
  }

  // --- rules ------------------------------------------------------------------------------------

  async loadRules(): Promise<Rule[]> {
    const rows = await this.store.exec<{
      id: string;
      name: string;
      severity: Rule['severity'];
      enabled: boolean;
      device_pattern: string;
      labels: Record<string, string>;
      condition: Rule['condition'];
    }>(
      `SELECT id, name, severity, enabled, device_pattern, labels, condition FROM rules ORDER BY id collate "C"`,
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      severity: r.severity,
      enabled: r.enabled,
      scope: { devicePattern: r.device_pattern, labels: r.labels },
      condition: r.condition,
    }));
  }

  async upsertRule(rule: Rule, actor: Actor): Promise<void> {
    await this.store.transaction(async (tx) => {
      await tx.exec(
        `INSERT INTO rules (id, name, severity, enabled, device_pattern, labels, condition, updated_at, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, now(), $8)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, severity = excluded.severity,
           enabled = excluded.enabled, device_pattern = excluded.device_pattern, labels = excluded.labels,
           condition = excluded.condition, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        [
          rule.id,
          rule.name,
          rule.severity,
          rule.enabled,
          rule.scope.devicePattern,
          JSON.stringify(rule.scope.labels),
          JSON.stringify(rule.condition),
          actor.name,
        ],
      );
      await audit(tx, actor, 'rule.upsert', rule.id, { rule });
    });
  }

  async deleteRule(id: string, actor: Actor): Promise<boolean> {
    return this.store.transaction(async (tx) => {
      const deleted = await tx.exec(`DELETE FROM rules WHERE id = $1 RETURNING id`, [id]);
      if (deleted.length > 0) await audit(tx, actor, 'rule.delete', id, {});
      return deleted.length > 0;
    });
  }

  // --- silences ---------------------------------------------------------------------------------

  /** Silences that have not ended by `now` (active and future). */
  async loadSilences(now: number): Promise<Silence[]> {
    const rows = await this.store.exec<{
      id: string;
      kind: Silence['kind'];
      matchers: SilenceMatchers;
      starts_at: number;
      ends_at: number;
      created_by: string;
      created_at: number;
      comment: string;
    }>(
      `SELECT id, kind, matchers, ${ms('starts_at')} AS starts_at, ${ms('ends_at')} AS ends_at, created_by,
              ${ms('created_at')} AS created_at, comment
         FROM silences WHERE ends_at > to_timestamp($1::float8 / 1000) ORDER BY created_at DESC, id`,
      [now],
    );
    return rows.map((r) => ({
      id: r.id,
      nodePath: this.nodePath,
      kind: r.kind,
      matchers: r.matchers,
      startsAt: r.starts_at,
      endsAt: r.ends_at,
      createdBy: r.created_by,
      createdAt: r.created_at,
      comment: r.comment,
    }));
  }

  async insertSilence(silence: Silence, actor: Actor): Promise<void> {
    await this.store.transaction(async (tx) => {
      await tx.exec(
        `INSERT INTO silences (id, kind, matchers, starts_at, ends_at, created_by, created_at, comment)
         VALUES ($1, $2, $3::jsonb, to_timestamp($4::float8 / 1000), to_timestamp($5::float8 / 1000), $6,
                 to_timestamp($7::float8 / 1000), $8)`,
        [
          silence.id,
          silence.kind,
          JSON.stringify(silence.matchers),
          silence.startsAt,
          silence.endsAt,
          silence.createdBy,
          silence.createdAt,
          silence.comment,
        ],
      );
      await audit(tx, actor, `${silence.kind}.create`, silence.id, { ...silence });
    });
  }

  async endSilence(id: string, at: number, actor: Actor): Promise<boolean> {
    return this.store.transaction(async (tx) => {
      const rows = await tx.exec(
        `UPDATE silences SET ends_at = least(ends_at, to_timestamp($2::float8 / 1000)) WHERE id = $1 RETURNING id`,
        [id, at],
      );
      if (rows.length > 0) await audit(tx, actor, 'silence.expire', id, {});
      return rows.length > 0;
    });
  }
}

function toCommittedChange(row: Row): CommittedChange {
  return {
    seq: Number(row.seq),
    change: { kind: row.kind as AlertChangeKind, at: Number(row.at), alert: row.alert as Alert },
  };
}
