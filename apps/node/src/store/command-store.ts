import type { Command, CommandState } from '@tierscope/shared';
import type { RawExecutor } from './client.ts';

/** A stored command as the node's code handles it: a `Command` without the node path. */
export type CommandRow = Omit<Command, 'nodePath'>;

/** Every column of `device_commands` under its `CommandRow` name (bigints as numbers). */
export const COMMAND_COLUMNS = `c.id, c.seq::float8 AS seq, c.device_id AS "deviceId", c.name, c.params,
  c.state, c.timeout_ms AS "timeoutMs", c.ttl_ms AS "ttlMs", c.created_by AS "createdBy",
  c.created_at::float8 AS "createdAt", c.sent_at::float8 AS "sentAt",
  c.finished_at::float8 AS "finishedAt", c.result, c.error`;

const NEXT_SEQ = `nextval('device_command_change_seq')`;

type StoredRow = CommandRow & { seq: number };

/** The command's stored change sequence travels beside it: the watch stream's id. */
export interface SequencedCommand {
  seq: number;
  command: CommandRow;
}

function sequenced(row: StoredRow): SequencedCommand {
  const { seq, ...command } = row;
  return { seq: Number(seq), command };
}

/** The SQL of `device_commands`; each write takes the next change sequence number. */
export class CommandStore {
  constructor(private readonly db: RawExecutor) {}

  async insert(command: CommandRow, tx: RawExecutor = this.db): Promise<SequencedCommand> {
    const [row] = await tx.exec<StoredRow>(
      `INSERT INTO device_commands AS c (id, seq, device_id, name, params, state, timeout_ms, ttl_ms,
         created_by, created_at)
       VALUES ($1, ${NEXT_SEQ}, $2, $3, $4::jsonb, 'queued', $5, $6, $7, $8)
       RETURNING ${COMMAND_COLUMNS}`,
      [
        command.id,
        command.deviceId,
        command.name,
        JSON.stringify(command.params),
        command.timeoutMs,
        command.ttlMs,
        command.createdBy,
        command.createdAt,
      ],
    );
    return sequenced(row!);
  }

  /** Stores the queued commands of one bulk command in one statement. */
  async insertJob(
    commands: readonly CommandRow[],
    jobId: string,
    tx: RawExecutor = this.db,
  ): Promise<SequencedCommand[]> {
    if (commands.length === 0) return [];
    const rows = await tx.exec<StoredRow>(
      `INSERT INTO device_commands AS c (id, seq, device_id, name, params, state, timeout_ms, ttl_ms,
         created_by, created_at, job_id)
       SELECT x.id, ${NEXT_SEQ}, x."deviceId", x.name, x.params, 'queued', x."timeoutMs", x."ttlMs",
              x."createdBy", x."createdAt", $2
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, "deviceId" text, name text, params jsonb,
              "timeoutMs" int, "ttlMs" int, "createdBy" text, "createdAt" int8)
       RETURNING ${COMMAND_COLUMNS}`,
      [JSON.stringify(commands), jobId],
    );
    return rows.map(sequenced);
  }

  /** The commands of a bulk command, by device. */
  async ofJob(jobId: string): Promise<Pick<CommandRow, 'id' | 'deviceId' | 'state' | 'error'>[]> {
    return this.db.exec(
      `SELECT c.id, c.device_id AS "deviceId", c.state, c.error FROM device_commands c
        WHERE c.job_id = $1 ORDER BY c.device_id, c.id`,
      [jobId],
    );
  }

  /** Moves a command from `from` to `to`; undefined when it had left `from` already (an ack won the race). */
  async transition(
    id: string,
    from: CommandState,
    to: CommandState,
    at: number,
    error: string | null = null,
  ): Promise<SequencedCommand | undefined> {
    const finished = to !== 'sent';
    const [row] = await this.db.exec<StoredRow>(
      `UPDATE device_commands AS c SET state = $3, seq = ${NEXT_SEQ},
         sent_at = CASE WHEN $3 = 'sent' THEN $4::int8 ELSE c.sent_at END,
         finished_at = CASE WHEN $5 THEN $4::int8 ELSE c.finished_at END,
         error = coalesce($6, c.error)
       WHERE c.id = $1 AND c.state = $2
       RETURNING ${COMMAND_COLUMNS}`,
      [id, from, to, at, finished, error],
    );
    return row && sequenced(row);
  }

  /** Every queued or sent command: what a starting node picks up again. */
  async open(): Promise<CommandRow[]> {
    const rows = await this.db.exec<StoredRow>(
      `SELECT ${COMMAND_COLUMNS} FROM device_commands c WHERE c.state IN ('queued', 'sent') ORDER BY c.seq`,
    );
    return rows.map((row) => sequenced(row).command);
  }

  async queuedFor(deviceId: string): Promise<CommandRow[]> {
    const rows = await this.db.exec<StoredRow>(
      `SELECT ${COMMAND_COLUMNS} FROM device_commands c
        WHERE c.device_id = $1 AND c.state = 'queued' ORDER BY c.created_at, c.id`,
      [deviceId],
    );
    return rows.map((row) => sequenced(row).command);
  }

  /** The device's commands newest first, after the (createdAt, id) position when given. */
  async history(
    deviceId: string,
    limit: number,
    after: { createdAt: number; id: string } | undefined,
  ): Promise<CommandRow[]> {
    const rows = await this.db.exec<StoredRow>(
      `SELECT ${COMMAND_COLUMNS} FROM device_commands c
        WHERE c.device_id = $1 AND ($2::int8 IS NULL OR (c.created_at, c.id) < ($2::int8, $3::text))
        ORDER BY c.created_at DESC, c.id DESC LIMIT $4`,
      [deviceId, after?.createdAt ?? null, after?.id ?? '', limit],
    );
    return rows.map((row) => sequenced(row).command);
  }

  /** The device's commands changed after `seq` (in their current state), or its open ones without it. */
  async changesSince(deviceId: string, seq: number | undefined): Promise<SequencedCommand[]> {
    const rows = await this.db.exec<StoredRow>(
      seq === undefined
        ? `SELECT ${COMMAND_COLUMNS} FROM device_commands c
            WHERE c.device_id = $1 AND c.state IN ('queued', 'sent') ORDER BY c.seq`
        : `SELECT ${COMMAND_COLUMNS} FROM device_commands c
            WHERE c.device_id = $1 AND c.seq > $2::int8 ORDER BY c.seq`,
      seq === undefined ? [deviceId] : [deviceId, seq],
    );
    return rows.map(sequenced);
  }
}

/**
 * What the ingest batch does with command acks (one statement, in the batch's transaction): an ack
 * of a command sent to that very device settles it, `succeeded` or `failed`, and is audited; an ack
 * of an unknown command, or of one sent to another device, becomes a dead letter with the reason.
 * An ack of a command that is no longer `sent` (a late answer after its timeout) changes nothing.
 * Replaying the batch changes nothing more (state guard, audit dedup key, dead letter seq).
 */
export const ANSWER_COMMANDS = `
WITH acks AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(seq int8, "deviceId" text, "commandId" text,
    ok boolean, at float8, result jsonb, error text, topic text, "payloadPreview" text, size int)
), known AS (
  SELECT a.*, c.device_id AS owner FROM acks a LEFT JOIN device_commands c ON c.id = a."commandId"
), answered AS (
  UPDATE device_commands AS c SET
    state = CASE WHEN k.ok THEN 'succeeded' ELSE 'failed' END,
    finished_at = k.at::int8, result = k.result, error = k.error, seq = ${NEXT_SEQ}
  FROM known k
  WHERE c.id = k."commandId" AND k.owner = k."deviceId" AND c.state = 'sent'
  RETURNING ${COMMAND_COLUMNS}
), audited AS (
  INSERT INTO audit_log (at, actor, action, target, details, dedup_key)
  SELECT to_timestamp(at / 1000.0), 'device:' || "deviceId", 'command.ack', "deviceId",
         jsonb_strip_nulls(jsonb_build_object('commandId', "commandId", 'ok', ok, 'result', result, 'error', error)),
         'command-ack:' || "deviceId" || ':' || "commandId"
    FROM known WHERE owner = "deviceId"
  ON CONFLICT (dedup_key) DO NOTHING
), refused AS (
  INSERT INTO dead_letters (seq, received_at, topic, reason, detail, payload_preview, size)
  SELECT seq, to_timestamp(at / 1000.0), topic, 'unknown-command',
         CASE WHEN owner IS NULL
           THEN format('device "%s" acked command "%s", which this node never sent', "deviceId", "commandId")
           ELSE format('device "%s" acked command "%s", which was sent to another device', "deviceId", "commandId")
         END,
         "payloadPreview", size
    FROM known WHERE owner IS NULL OR owner <> "deviceId"
  ON CONFLICT (seq) DO NOTHING
)
SELECT * FROM answered`;

/** The rows ANSWER_COMMANDS returns, as the commands they settled. */
export function answeredCommands(rows: readonly Record<string, unknown>[]): SequencedCommand[] {
  return rows.map((row) => sequenced(row as unknown as StoredRow));
}
