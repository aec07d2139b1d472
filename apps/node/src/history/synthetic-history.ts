// Synthetic history for the report bench and the demo: devices with a 5-minute interval and a kind,
// site and labels, one sample each per interval over a period (with outages, which ingest turns
// into status changes), written through this node's own ingest store (binary COPY, rollups
// aggregated as ingest aggregates them, decision 14); and alerts, acknowledged and resolved.
import { alertSortValue, type Severity } from '@tierscope/shared';
import postgres from 'postgres';
import { openNodeStore } from '../store/client.ts';
import { createPgIngestStore } from '../store/ingest-store.pg.ts';
import { addHeard, ingestBatch, type SampleRow } from '../store/ingest-store.ts';

export const SAMPLE_INTERVAL_MS = 5 * 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Samples per write: decision 14 measured COPY at its cheapest in batches of about 20,000. */
const BATCH_SAMPLES = 20_000;
const KINDS = ['pump', 'valve', 'meter', 'sensor'] as const;
const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

export interface HistoryShape {
  /** Devices on this node. */
  devices: number;
  /** [from, to) in epoch ms, whole hours. */
  from: number;
  to: number;
}

export interface LoadedHistory {
  samples: number;
  alerts: number;
}

function deviceIdOf(node: number, index: number): string {
  return `n${node}-dev-${String(index).padStart(4, '0')}`;
}

/** The device's samples come this long after each interval starts (spread, so batches interleave). */
function offsetOf(index: number): number {
  return ((index * 7919) % 290) * 1000;
}

/** One outage in four devices a day, of one to six hours: ingest records it as a silence. */
function inOutage(index: number, at: number, from: number): boolean {
  const day = Math.floor((at - from) / DAY_MS);
  if ((index + day) % 4 !== 0) return false;
  const start = from + day * DAY_MS + ((index * 5 + day) % 18) * HOUR_MS;
  return at >= start && at < start + (1 + ((index + day) % 6)) * HOUR_MS;
}

/** Registers the node's devices with kind, site, labels and the 5-minute interval, seen from `from`. */
async function registerDevices(databaseUrl: string, node: number, shape: HistoryShape): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const ids = Array.from({ length: shape.devices }, (_, i) => deviceIdOf(node, i));
    await sql`
      INSERT INTO devices (id, name, kind, site, labels, expected_interval_ms, first_seen)
      SELECT id, id, ${KINDS[0]}, '', '{}'::jsonb, ${SAMPLE_INTERVAL_MS}, to_timestamp(${shape.from / 1000})
        FROM unnest(${ids}::text[]) AS u(id)`;
    await sql`
      UPDATE devices SET
        kind = (${[...KINDS]}::text[])[1 + (substring(id from '[0-9]+$')::int % ${KINDS.length})],
        site = 'site-' || (substring(id from '[0-9]+$')::int % 7)::text,
        labels = jsonb_build_object('tier', 'bench')`;
  } finally {
    await sql.end();
  }
}

/** Alerts that fired over the period: one a day for one device in ten, acknowledged and resolved. */
async function insertAlerts(databaseUrl: string, node: number, shape: HistoryShape): Promise<number> {
  const rows: unknown[][] = [];
  const days = Math.floor((shape.to - shape.from) / DAY_MS);
  for (let i = 0; i < shape.devices; i += 10) {
    for (let day = 0; day < days; day++) {
      const startedAt = shape.from + day * DAY_MS + ((i + day * 13) % 20) * HOUR_MS;
      const severity = SEVERITIES[(i + day) % SEVERITIES.length]!;
      const ruleId = `rule-${(i + day) % 5}`;
      const ackAt = startedAt + (1 + ((i * 3 + day) % 45)) * 60_000;
      const resolvedAt = ackAt + (5 + ((i + day * 7) % 120)) * 60_000;
      rows.push([
        `${deviceIdOf(node, i)}-${ruleId}-${startedAt}`,
        `${ruleId}:${deviceIdOf(node, i)}:${startedAt}`,
        ruleId,
        `Rule ${ruleId}`,
        deviceIdOf(node, i),
        severity,
        startedAt,
        resolvedAt,
        ackAt,
        alertSortValue({ severity, startedAt }),
      ]);
    }
  }
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    for (let i = 0; i < rows.length; i += 5000) {
      const part = rows.slice(i, i + 5000);
      const column = (c: number) => part.map((row) => row[c]);
      await sql`
        INSERT INTO alerts (id, fingerprint, rule_id, rule_name, device_id, severity, state, summary,
                            started_at, updated_at, resolved_at, ack_by, ack_at, sort_key)
        SELECT id, fp, rule, rule_name, device, severity, 'resolved', 'bench alert',
               to_timestamp(started / 1000.0), to_timestamp(resolved / 1000.0), to_timestamp(resolved / 1000.0),
               'bench', to_timestamp(ack / 1000.0), sort_key
          FROM unnest(${column(0) as string[]}::text[], ${column(1) as string[]}::text[],
                      ${column(2) as string[]}::text[], ${column(3) as string[]}::text[],
                      ${column(4) as string[]}::text[], ${column(5) as string[]}::text[],
                      ${column(6) as number[]}::float8[], ${column(7) as number[]}::float8[],
                      ${column(8) as number[]}::float8[], ${column(9) as number[]}::int8[])
            AS u(id, fp, rule, rule_name, device, severity, started, resolved, ack, sort_key)`;
    }
    await sql`ANALYZE`;
  } finally {
    await sql.end();
  }
  return rows.length;
}

/**
 * Writes node `node`'s history into its database through the node's ingest store, in time order,
 * each device heard at its own offset in every interval except during its outages.
 */
export async function writeSyntheticHistory(
  databaseUrl: string,
  node: number,
  shape: HistoryShape,
): Promise<LoadedHistory> {
  await registerDevices(databaseUrl, node, shape);
  const store = await openNodeStore(databaseUrl);
  let samplesWritten = 0;
  try {
    const ingest = createPgIngestStore(store);
    let batch = ingestBatch();
    const flush = async () => {
      samplesWritten += (await ingest.writeBatch(batch)).samplesInserted;
      batch = ingestBatch();
    };
    for (let tick = shape.from; tick < shape.to; tick += SAMPLE_INTERVAL_MS) {
      for (let i = 0; i < shape.devices; i++) {
        const ts = tick + offsetOf(i);
        if (ts >= shape.to || inOutage(i, ts, shape.from)) continue;
        const deviceId = deviceIdOf(node, i);
        const sample: SampleRow = { deviceId, metric: 'temp', ts, value: 20 + ((ts / 60_000 + i) % 15) };
        batch.samples.push(sample);
        batch.seen.set(deviceId, ts);
        addHeard(batch.heard!, deviceId, ts);
      }
      if (batch.samples.length >= BATCH_SAMPLES) await flush();
    }
    if (batch.samples.length > 0) await flush();
  } finally {
    await store.close();
  }
  const alerts = await insertAlerts(databaseUrl, node, shape);
  return { samples: samplesWritten, alerts };
}
