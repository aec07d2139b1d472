import type { RawExecutor, Store } from './client.ts';
import type { BatchResult, IngestBatch, IngestStore, SampleRow } from './ingest-store.ts';
import { dayOf, ensureSamplePartitions, forgetSamplePartitions, isMissingPartition } from './partitions.ts';

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
const WRITE_NEW_SAMPLES = writeSamples('');
const WRITE_SAMPLES_SKIPPING_STORED = writeSamples('ON CONFLICT DO NOTHING');

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

const INSERT_COMMAND_ACKS = `
INSERT INTO audit_log (at, actor, action, target, details, dedup_key)
SELECT to_timestamp(at / 1000.0), 'device:' || "deviceId", 'command.ack', "deviceId",
       jsonb_strip_nulls(jsonb_build_object('commandId', "commandId", 'ok', ok, 'result', result, 'error', error)),
       'command-ack:' || "deviceId" || ':' || "commandId"
  FROM jsonb_to_recordset($1::jsonb)
    AS x("deviceId" text, "commandId" text, ok boolean, at float8, result jsonb, error text)
ON CONFLICT (dedup_key) DO NOTHING`;

const SAVE_CHECKPOINT = `
INSERT INTO ingest_checkpoint (id, seq) VALUES (1, $1::int8)
ON CONFLICT (id) DO UPDATE SET seq = greatest(ingest_checkpoint.seq, excluded.seq)`;

/**
 * The ingest path's store on the raw driver (drizzle's insert builder is ~5x slower for bulk rows,
 * LIMITS.md). One batch is one transaction, checkpoint included; every statement is idempotent.
 */
export function createPgIngestStore(store: Store): IngestStore {
  return {
    async writeBatch(batch) {
      await ensureSamplePartitions(store, daysOf(batch.samples));
      try {
        return await store.transaction((tx) => writeInTransaction(tx, batch, WRITE_NEW_SAMPLES));
      } catch (error) {
        if (isUniqueViolation(error)) {
          return store.transaction((tx) => writeInTransaction(tx, batch, WRITE_SAMPLES_SKIPPING_STORED));
        }
        if (!isMissingPartition(error)) throw error;
        // Retention dropped a day this process still had cached: learn the catalog again, retry once.
        forgetSamplePartitions(store);
        await ensureSamplePartitions(store, daysOf(batch.samples));
        return store.transaction((tx) => writeInTransaction(tx, batch, WRITE_SAMPLES_SKIPPING_STORED));
      }
    },

    async readCheckpoint() {
      const [row] = await store.exec<{ seq: number }>(`select seq::float8 as seq from ingest_checkpoint where id = 1`);
      return row?.seq ?? 0;
    },

    async listDeviceIds() {
      const rows = await store.exec<{ id: string }>(`select id from devices order by id`);
      return rows.map((row) => row.id);
    },
  };
}

async function writeInTransaction(tx: RawExecutor, batch: IngestBatch, writeSamplesSql: string): Promise<BatchResult> {
  const result: BatchResult = { samplesInserted: 0, eventsInserted: 0, deadLettersInserted: 0 };

  if (batch.seen.size > 0) {
    await tx.exec(TOUCH_DEVICES, [[...batch.seen.keys()], [...batch.seen.values()]]);
  }
  if (batch.statuses.length > 0) {
    await tx.exec(SET_STATUSES, [
      batch.statuses.map((s) => s.deviceId),
      batch.statuses.map((s) => s.status),
      batch.statuses.map((s) => s.at),
    ]);
  }
  if (batch.samples.length > 0) {
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
    const [row] = await tx.exec<{ inserted: number }>(writeSamplesSql, [deviceIds, metrics, tss, values]);
    result.samplesInserted = row?.inserted ?? 0;
  }
  if (batch.events.length > 0) {
    const [row] = await tx.exec<{ inserted: number }>(INSERT_EVENTS, [toJsonText(batch.events)]);
    result.eventsInserted = row?.inserted ?? 0;
  }
  if (batch.deadLetters.length > 0) {
    const [row] = await tx.exec<{ inserted: number }>(INSERT_DEAD_LETTERS, [toJsonText(batch.deadLetters)]);
    result.deadLettersInserted = row?.inserted ?? 0;
  }
  if (batch.commandAcks.length > 0) {
    await tx.exec(INSERT_COMMAND_ACKS, [toJsonText(batch.commandAcks)]);
  }
  await tx.exec(SAVE_CHECKPOINT, [batch.lastSeq]);
  return result;
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown }).code === '23505';
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
