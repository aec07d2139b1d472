import type { AlertTransition } from '../alerting/alert-transitions.ts';
import type { CommittedChange } from './alert-store.pg.ts';
import type { RawExecutor, Row, NodeStore } from './client.ts';
import { ANSWER_COMMANDS, answeredCommands } from './command-store.ts';
import { REPORT_CONFIGS } from './device-config-store.ts';
import type { BatchResult, HeardSpan, IngestBatch, IngestStore, SampleRow } from './ingest-store.ts';
import { dayOf, ensureSamplePartitions, forgetSamplePartitions, isMissingPartition } from './partitions.ts';
import { COPY_SAMPLES, samplesCopyData } from './samples-copy.ts';

// Samples and every rollup in one statement: the rollups and latest values are fed from what the
// INSERT actually stored (RETURNING), so a replayed batch adds nothing to any count. ORDER BY keeps
// the upserts' lock order stable when several writers share a node's database.
const writeSamples = (onConflict: string) => `
WITH ins AS (
  INSERT INTO samples (device_id, metric, ts, value)
  SELECT d, m, to_timestamp(t / 1000.0), v
    FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[]) AS u(d, m, t, v)
  ${onConflict}
  RETURNING device_id, metric, ts, value
), minute AS (
  INSERT INTO rollups_minute AS r (device_id, metric, bucket, min, max, sum, count)
  SELECT device_id, metric, date_bin('1 minute', ts, timestamptz 'epoch'), min(value), max(value), sum(value), count(*)
    FROM ins GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (device_id, metric, bucket) DO UPDATE SET
    min = least(r.min, excluded.min), max = greatest(r.max, excluded.max),
    sum = r.sum + excluded.sum, count = r.count + excluded.count
), hour AS (
  INSERT INTO rollups_hour AS r (device_id, metric, bucket, min, max, sum, count)
  SELECT device_id, metric, date_bin('1 hour', ts, timestamptz 'epoch'), min(value), max(value), sum(value), count(*)
    FROM ins GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (device_id, metric, bucket) DO UPDATE SET
    min = least(r.min, excluded.min), max = greatest(r.max, excluded.max),
    sum = r.sum + excluded.sum, count = r.count + excluded.count
), latest AS (
  INSERT INTO latest_values AS l (device_id, metric, ts, value)
  SELECT DISTINCT ON (device_id, metric) device_id, metric, ts, value
    FROM ins ORDER BY device_id, metric, ts DESC
  ON CONFLICT (device_id, metric) DO UPDATE SET ts = excluded.ts, value = excluded.value
    WHERE l.ts < excluded.ts
)
SELECT count(*)::int AS inserted FROM ins`;

// ON CONFLICT makes PostgreSQL insert each row speculatively, which doubles the cost of the insert.
// New samples never conflict, so a batch is first tried without it; a unique violation (a replay,
// a duplicate inside the batch, a second writer) rolls that attempt back and the batch is written
// again with ON CONFLICT DO NOTHING. Either way exactly the new samples are stored and counted.
const WRITE_SAMPLES_SKIPPING_STORED = writeSamples('ON CONFLICT DO NOTHING');

// The fast path, tried first: when every sample of a batch is new, what is stored is exactly the
// batch, so its rollups and latest values are aggregated in JS (aggregateSamples) and only upserted
// here, in the same statement; PostgreSQL no longer re-reads, groups and sorts the inserted rows
// (about 2x the batch throughput). A unique violation aborts the whole statement, and the batch is
// written again on the RETURNING path above.
const rollupUpsert = (table: string, from: number) => `
INSERT INTO ${table} AS r (device_id, metric, bucket, min, max, sum, count)
SELECT d, m, to_timestamp(b / 1000.0), lo, hi, s, c
  FROM unnest($${from}::text[], $${from + 1}::text[], $${from + 2}::float8[], $${from + 3}::float8[],
              $${from + 4}::float8[], $${from + 5}::float8[], $${from + 6}::int8[]) AS u(d, m, b, lo, hi, s, c)
 ORDER BY 1, 2, 3
ON CONFLICT (device_id, metric, bucket) DO UPDATE SET
  min = least(r.min, excluded.min), max = greatest(r.max, excluded.max),
  sum = r.sum + excluded.sum, count = r.count + excluded.count`;

const WRITE_NEW_SAMPLES = `
WITH ins AS (
  INSERT INTO samples (device_id, metric, ts, value)
  SELECT d, m, to_timestamp(t / 1000.0), v
    FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[]) AS u(d, m, t, v)
), minute AS (${rollupUpsert('rollups_minute', 5)}
), hour AS (${rollupUpsert('rollups_hour', 12)}
), latest AS (
  INSERT INTO latest_values AS l (device_id, metric, ts, value)
  SELECT d, m, to_timestamp(t / 1000.0), v
    FROM unnest($19::text[], $20::text[], $21::float8[], $22::float8[]) AS u(d, m, t, v) ORDER BY 1, 2
  ON CONFLICT (device_id, metric) DO UPDATE SET ts = excluded.ts, value = excluded.value
    WHERE l.ts < excluded.ts
)
SELECT $23::int AS inserted`;

// On postgres.js the fast path COPYs the samples (binary) and then upserts only these, from the
// same JS aggregates: COPY costs PostgreSQL less than INSERT … SELECT unnest(…) (decision 14).
const WRITE_ROLLUPS = `
WITH minute AS (${rollupUpsert('rollups_minute', 1)}
), hour AS (${rollupUpsert('rollups_hour', 8)}
)
INSERT INTO latest_values AS l (device_id, metric, ts, value)
SELECT d, m, to_timestamp(t / 1000.0), v
  FROM unnest($15::text[], $16::text[], $17::float8[], $18::float8[]) AS u(d, m, t, v) ORDER BY 1, 2
ON CONFLICT (device_id, metric) DO UPDATE SET ts = excluded.ts, value = excluded.value
  WHERE l.ts < excluded.ts`;

// Hearing from a device means it is online as of that moment, unless a newer status (a last will
// published later, say) is stored. A device heard from for the first time is registered under its
// id. last_seen only moves forward, and an unchanged row is not rewritten.
const TOUCH_DEVICES = `
INSERT INTO devices AS d (id, name, status, status_at, first_seen, last_seen)
SELECT id, id, 'online', to_timestamp(t / 1000.0), to_timestamp(t / 1000.0), to_timestamp(t / 1000.0)
  FROM unnest($1::text[], $2::float8[]) AS u(id, t) ORDER BY id
ON CONFLICT (id) DO UPDATE SET
  last_seen = excluded.last_seen,
  status = CASE WHEN d.status_at IS NULL OR d.status_at < excluded.last_seen THEN 'online' ELSE d.status END,
  status_at = CASE WHEN d.status_at IS NULL OR d.status_at < excluded.last_seen THEN excluded.last_seen ELSE d.status_at END
  WHERE d.last_seen IS NULL OR d.last_seen < excluded.last_seen`;

// Status changes, read before TOUCH_DEVICES and SET_STATUSES change the devices (docs/decisions/0027).
// A step between two receipts longer than three expected intervals (from the last one stored, or
// from registration for a device never heard, to the batch's first; and the longest inside the
// batch) makes the device silent from the moment it was overdue, and online again when heard. A
// device not online is online again from the batch's first receipt. Each status message is stored
// as the device said it. A replayed batch re-derives the same rows, which are stored once.
const RECORD_STATUS_CHANGES = `
WITH heard AS (
  SELECT u.id, u.first, u.gap_from, u.gap_to, d.status, d.status_at,
         (extract(epoch from coalesce(d.last_seen, d.first_seen)) * 1000)::float8 AS before,
         3 * d.expected_interval_ms::float8 AS overdue
    FROM unnest($1::text[], $2::float8[], $3::float8[], $4::float8[]) AS u(id, first, gap_from, gap_to)
    LEFT JOIN devices d ON d.id = u.id
), steps AS (
  SELECT id, before AS a, first AS b, overdue FROM heard WHERE before IS NOT NULL
  UNION ALL
  SELECT id, gap_from, gap_to, overdue FROM heard WHERE overdue IS NOT NULL
), changes AS (
  SELECT id, to_timestamp((a + overdue) / 1000.0) AS at, 'silent' AS status FROM steps WHERE b - a > overdue
  UNION ALL
  SELECT id, to_timestamp(b / 1000.0), 'online' FROM steps WHERE b - a > overdue
  UNION ALL
  SELECT id, to_timestamp(first / 1000.0), 'online' FROM heard
   WHERE status IS DISTINCT FROM 'online' AND (status_at IS NULL OR status_at < to_timestamp(first / 1000.0))
  UNION ALL
  SELECT id, to_timestamp(at / 1000.0), status FROM unnest($5::text[], $6::text[], $7::float8[]) AS s(id, status, at)
)
INSERT INTO device_status_changes (device_id, at, status)
SELECT DISTINCT id, at, status FROM changes ORDER BY 1, 2, 3
ON CONFLICT DO NOTHING`;

// The newest status per device wins, and never one older than what is stored (replays).
const SET_STATUSES = `
INSERT INTO devices AS d (id, name, status, status_at, first_seen)
SELECT DISTINCT ON (id) id, id, status, to_timestamp(at / 1000.0), to_timestamp(at / 1000.0)
  FROM unnest($1::text[], $2::text[], $3::float8[]) AS u(id, status, at) ORDER BY id, at DESC
ON CONFLICT (id) DO UPDATE SET status = excluded.status, status_at = excluded.status_at
  WHERE d.status_at IS NULL OR d.status_at <= excluded.status_at`;

const INSERT_EVENTS = `
WITH ins AS (
  INSERT INTO events (device_id, ts, type, severity, message, attrs)
  SELECT "deviceId", to_timestamp(ts / 1000.0), type, severity, message, coalesce(attrs, '{}'::jsonb)
    FROM jsonb_to_recordset($1::jsonb)
      AS x("deviceId" text, ts float8, type text, severity text, message text, attrs jsonb)
  ON CONFLICT (device_id, ts, type) DO NOTHING
  RETURNING 1
)
SELECT count(*)::int AS inserted FROM ins`;

const INSERT_DEAD_LETTERS = `
WITH ins AS (
  INSERT INTO dead_letters (seq, received_at, topic, reason, detail, payload_preview, size)
  SELECT seq, to_timestamp("receivedAt" / 1000.0), topic, reason, detail, "payloadPreview", size
    FROM jsonb_to_recordset($1::jsonb)
      AS x(seq int8, "receivedAt" float8, topic text, reason text, detail text, "payloadPreview" text, size int)
  ON CONFLICT (seq) DO NOTHING
  RETURNING 1
)
SELECT count(*)::int AS inserted FROM ins`;

const SAVE_CHECKPOINT = `
INSERT INTO ingest_checkpoint (id, seq) VALUES (1, $1::int8)
ON CONFLICT (id) DO UPDATE SET seq = greatest(ingest_checkpoint.seq, excluded.seq)`;

/** Writes the alert engine's transitions inside the batch's transaction; returns the new changes. */
export type AlertTransitionWriter = (
  tx: RawExecutor,
  transitions: readonly AlertTransition[],
) => Promise<CommittedChange[]>;

export interface PgIngestStoreOptions {
  writeAlertTransitions?: AlertTransitionWriter | undefined;
}

/**
 * The ingest path's store on the raw driver (drizzle's insert builder is ~5x slower for bulk rows,
 * LIMITS.md). One batch is one transaction, checkpoint included; every statement is idempotent.
 */
export function createPgIngestStore(store: NodeStore, options: PgIngestStoreOptions = {}): IngestStore {
  // PGlite runs one query at a time in-process: nothing to gain from sending ahead.
  const pipeline = store.driver === 'postgres';
  const writeInTransaction = (tx: RawExecutor, batch: IngestBatch, writeSamplesSql: string, pipe: boolean) =>
    writeBatchStatements(tx, batch, writeSamplesSql, pipe, options.writeAlertTransitions);
  const writeSkippingStored = async (batch: IngestBatch): Promise<BatchResult> => {
    try {
      return await store.transaction((tx) =>
        writeInTransaction(tx, batch, WRITE_SAMPLES_SKIPPING_STORED, pipeline),
      );
    } catch (error) {
      if (!isMissingPartition(error)) throw error;
      // Retention dropped a day this process still had cached: learn the catalog again, retry once.
      forgetSamplePartitions(store);
      await ensureSamplePartitions(store, daysOf(batch.samples));
      return store.transaction((tx) =>
        writeInTransaction(tx, batch, WRITE_SAMPLES_SKIPPING_STORED, pipeline),
      );
    }
  };
  return {
    async writeBatch(batch) {
      await ensureSamplePartitions(store, daysOf(batch.samples));
      try {
        return await store.transaction((tx) => writeInTransaction(tx, batch, WRITE_NEW_SAMPLES, pipeline));
      } catch (error) {
        // A replay or duplicate (unique violation), a failed COPY (whose own error postgres.js does
        // not report: the next statement's 25P02 says it) or a dropped day: the path that skips
        // stored samples, where a real error shows with its own code.
        if (!isUniqueViolation(error) && !isAbortedTransaction(error) && !isMissingPartition(error))
          throw error;
      }
      return writeSkippingStored(batch);
    },

    async readCheckpoint() {
      const [row] = await store.exec<{ seq: number }>(
        `select seq::float8 as seq from ingest_checkpoint where id = 1`,
      );
      return row?.seq ?? 0;
    },

    async listDeviceIds() {
      const rows = await store.exec<{ id: string }>(`select id from devices order by id`);
      return rows.map((row) => row.id);
    },
  };
}

/**
 * The batch's statements in one transaction. On postgres.js they are pipelined: all are sent at
 * once and PostgreSQL answers them in order, so a batch costs three round trips (BEGIN, the
 * statements, COMMIT) instead of one per statement. After an error PostgreSQL refuses the rest of
 * the transaction; the first error is the one thrown (a unique violation takes the RETURNING path).
 */
async function writeBatchStatements(
  tx: RawExecutor,
  batch: IngestBatch,
  writeSamplesSql: string,
  pipeline: boolean,
  writeAlertTransitions: AlertTransitionWriter | undefined,
): Promise<BatchResult> {
  const sent: Array<Promise<Row[]>> = [];
  // Sends a statement; without pipelining, also waits for its answer before the next one is sent.
  const send = async (text: string, params: unknown[]): Promise<{ rows: Promise<Row[]> }> => {
    const rows = tx.exec(text, params);
    // Its outcome is read at the end (allSettled); until then a rejection (the connection lost
    // while a later statement is awaited) must not count as unhandled, which would end the node.
    rows.catch(() => undefined);
    sent.push(rows);
    if (!pipeline) await rows;
    return { rows };
  };

  const heard = batch.heard ?? new Map<string, HeardSpan>();
  if (heard.size > 0 || batch.statuses.length > 0) {
    const ids: string[] = [];
    const firsts: number[] = [];
    const gapFroms: number[] = [];
    const gapTos: number[] = [];
    for (const [deviceId, span] of heard) {
      ids.push(deviceId);
      firsts.push(span.first);
      gapFroms.push(span.gapFrom);
      gapTos.push(span.gapTo);
    }
    await send(RECORD_STATUS_CHANGES, [
      textArray(ids),
      numberArray(firsts),
      numberArray(gapFroms),
      numberArray(gapTos),
      textArray(batch.statuses.map((s) => s.deviceId)),
      textArray(batch.statuses.map((s) => s.status)),
      numberArray(batch.statuses.map((s) => s.at)),
    ]);
  }
  if (batch.seen.size > 0) {
    await send(TOUCH_DEVICES, [[...batch.seen.keys()], [...batch.seen.values()]]);
  }
  if (batch.statuses.length > 0) {
    await send(SET_STATUSES, [
      batch.statuses.map((s) => s.deviceId),
      batch.statuses.map((s) => s.status),
      batch.statuses.map((s) => s.at),
    ]);
  }
  let samples: Promise<Row[]> | undefined;
  if (batch.samples.length > 0 && writeSamplesSql === WRITE_NEW_SAMPLES && tx.copyIn) {
    const n = batch.samples.length;
    // Settles once sent; if PostgreSQL refuses it, the statements after it fail with 25P02.
    const copied = tx
      .copyIn(COPY_SAMPLES, samplesCopyData(batch.samples))
      .then((): Row[] => [{ inserted: n }]);
    sent.push(copied);
    await copied.catch(() => undefined);
    samples = copied;
    await send(WRITE_ROLLUPS, aggregateSamples(batch.samples));
  } else if (batch.samples.length > 0) {
    const n = batch.samples.length;
    const deviceIds = new Array<string>(n);
    const metrics = new Array<string>(n);
    const tss = new Array<number>(n);
    const values = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const sample = batch.samples[i]!;
      deviceIds[i] = sample.deviceId;
      metrics[i] = sample.metric;
      tss[i] = sample.ts;
      values[i] = sample.value;
    }
    const params: unknown[] = [
      textArray(deviceIds),
      textArray(metrics),
      numberArray(tss),
      numberArray(values),
    ];
    if (writeSamplesSql === WRITE_NEW_SAMPLES) params.push(...aggregateSamples(batch.samples), n);
    samples = (await send(writeSamplesSql, params)).rows;
  }
  const events =
    batch.events.length > 0 ? (await send(INSERT_EVENTS, [toJsonText(batch.events)])).rows : undefined;
  const deadLetters =
    batch.deadLetters.length > 0
      ? (await send(INSERT_DEAD_LETTERS, [toJsonText(batch.deadLetters)])).rows
      : undefined;
  const answered =
    batch.commandAcks.length > 0
      ? (await send(ANSWER_COMMANDS, [toJsonText(batch.commandAcks)])).rows
      : undefined;
  if (batch.configReports.length > 0) await send(REPORT_CONFIGS, [toJsonText(batch.configReports)]);
  await send(SAVE_CHECKPOINT, [batch.lastSeq]);

  // After an error PostgreSQL refuses the rest of the transaction: throw the first error, in order.
  const settled = await Promise.allSettled(sent);
  const failed = settled.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  const inserted = async (rows: Promise<Row[]> | undefined): Promise<number> =>
    Number((await rows)?.[0]?.inserted ?? 0);
  const transitions = batch.alertTransitions ?? [];
  return {
    samplesInserted: await inserted(samples),
    eventsInserted: await inserted(events),
    deadLettersInserted: await inserted(deadLetters),
    ...(transitions.length > 0 &&
      writeAlertTransitions && { alertChanges: await writeAlertTransitions(tx, transitions) }),
    ...(answered && { commandChanges: answeredCommands(await answered) }),
  };
}

interface Rollup {
  min: number;
  max: number;
  sum: number;
  count: number;
}

interface SeriesAggregate {
  deviceId: string;
  metric: string;
  latestTs: number;
  latestValue: number;
  minutes: Map<number, Rollup>;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * The fast path's parameters 5…22: minute rollups, hour rollups (7 arrays each: device, metric,
 * bucket ms, min, max, sum, count) and latest values (4 arrays), of a batch stored whole. The same
 * figures the RETURNING path computes in SQL (date_bin buckets from the epoch).
 */
function aggregateSamples(samples: readonly SampleRow[]): unknown[] {
  const series = new Map<string, SeriesAggregate>();
  for (const { deviceId, metric, ts, value } of samples) {
    const key = `${deviceId}\u0000${metric}`;
    let entry = series.get(key);
    if (!entry) {
      entry = { deviceId, metric, latestTs: ts, latestValue: value, minutes: new Map() };
      series.set(key, entry);
    } else if (ts > entry.latestTs) {
      entry.latestTs = ts;
      entry.latestValue = value;
    }
    const bucket = Math.floor(ts / MINUTE_MS) * MINUTE_MS;
    const rollup = entry.minutes.get(bucket);
    if (rollup) addTo(rollup, value, value, value, 1);
    else entry.minutes.set(bucket, { min: value, max: value, sum: value, count: 1 });
  }
  const minute = rollupColumns();
  const hour = rollupColumns();
  const latest: [string[], string[], number[], number[]] = [[], [], [], []];
  for (const entry of series.values()) {
    const hours = new Map<number, Rollup>();
    for (const [bucket, rollup] of entry.minutes) {
      pushRollup(minute, entry, bucket, rollup);
      const hourBucket = Math.floor(bucket / HOUR_MS) * HOUR_MS;
      const hourRollup = hours.get(hourBucket);
      if (hourRollup) addTo(hourRollup, rollup.min, rollup.max, rollup.sum, rollup.count);
      else hours.set(hourBucket, { ...rollup });
    }
    for (const [bucket, rollup] of hours) pushRollup(hour, entry, bucket, rollup);
    latest[0].push(entry.deviceId);
    latest[1].push(entry.metric);
    latest[2].push(entry.latestTs);
    latest[3].push(entry.latestValue);
  }
  const literals = (columns: Array<string[] | number[]>): string[] =>
    columns.map((column) =>
      typeof column[0] === 'string' ? textArray(column as string[]) : numberArray(column as number[]),
    );
  return [...literals(minute), ...literals(hour), ...literals(latest)];
}

/**
 * PostgreSQL array literals, built here rather than by the driver: for the hot path's large
 * arrays that is several times cheaper. Every element is quoted (so "NULL" stays a string).
 */
function textArray(values: readonly string[]): string {
  let text = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    text += `${i === 0 ? '' : ','}"${NEEDS_ESCAPE.test(value) ? value.replace(ESCAPED, '\\$&') : value}"`;
  }
  return `${text}}`;
}

const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;

/** Finite numbers, or NaN/±Infinity, which float8 spells the same way. */
function numberArray(values: readonly number[]): string {
  return `{${values.join(',')}}`;
}

type RollupColumns = [string[], string[], number[], number[], number[], number[], number[]];

function rollupColumns(): RollupColumns {
  return [[], [], [], [], [], [], []];
}

function pushRollup(columns: RollupColumns, entry: SeriesAggregate, bucket: number, rollup: Rollup): void {
  columns[0].push(entry.deviceId);
  columns[1].push(entry.metric);
  columns[2].push(bucket);
  columns[3].push(rollup.min);
  columns[4].push(rollup.max);
  columns[5].push(rollup.sum);
  columns[6].push(rollup.count);
}

function addTo(rollup: Rollup, min: number, max: number, sum: number, count: number): void {
  if (min < rollup.min) rollup.min = min;
  if (max > rollup.max) rollup.max = max;
  rollup.sum += sum;
  rollup.count += count;
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown }).code === '23505';
}

function isAbortedTransaction(error: unknown): boolean {
  return (error as { code?: unknown }).code === '25P02';
}

function daysOf(samples: readonly SampleRow[]): Set<number> {
  const days = new Set<number>();
  for (const sample of samples) days.add(dayOf(sample.ts));
  return days;
}

// PostgreSQL text and jsonb refuse NUL and lone surrogates; one such character in a dead letter's
// payload preview must not make the whole batch fail forever on replay.
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function toJsonText(rows: unknown): string {
  return JSON.stringify(rows, (_key, value: unknown) =>
    typeof value === 'string' ? value.replace(UNSTORABLE, '\uFFFD') : value,
  );
}
