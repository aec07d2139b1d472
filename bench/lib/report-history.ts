// Synthetic node history for the report and dashboard benches, written through the node's own
// ingest store; and the report bench's raw scan (the availability figure from raw samples).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import postgres from 'postgres';

const WRITE_HISTORY = fileURLToPath(
  new URL('../../apps/node/src/history/write-synthetic-history.ts', import.meta.url),
);

/**
 * Writes node `n`'s history (`apps/node/src/history/synthetic-history.ts`: devices `n<n>-dev-0000`…
 * of four kinds on seven sites, one `temp` sample each every 5 minutes with outages, and alerts)
 * into its migrated database, in a child process; `samples` counts those written in [from, to).
 */
export async function writeHistory(
  databaseUrl: string,
  n: number,
  shape: { devices: number; from: number; to: number },
): Promise<{ samples: number; alerts: number }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--import',
      'tsx',
      WRITE_HISTORY,
      `--database=${databaseUrl}`,
      `--node=${n}`,
      `--devices=${shape.devices}`,
      `--from=${shape.from}`,
      `--to=${shape.to}`,
    ],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout) as { samples: number; alerts: number };
}

/**
 * The availability the report computes, from raw samples instead: per device, down over every
 * step between receipts longer than three expected intervals (from registration to the first, and
 * from the last to the period's end), clipped to [from, to); summed over devices.
 */
export async function availabilityFromRawSamples(
  databaseUrl: string,
  from: number,
  to: number,
): Promise<{ devices: number; observedMs: number; downMs: number }> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<[{ devices: number; observed: number; down: number }]>`
      WITH d AS (
        SELECT id, extract(epoch from first_seen) * 1000 AS first_seen, 3 * expected_interval_ms::float8 AS overdue
          FROM devices WHERE first_seen < to_timestamp(${to / 1000})
      ), receipts AS (
        SELECT device_id, extract(epoch from ts) * 1000 AS b,
               extract(epoch from lag(ts) OVER (PARTITION BY device_id ORDER BY ts)) * 1000 AS a
          FROM samples WHERE ts < to_timestamp(${to / 1000})
      ), steps AS (
        SELECT r.device_id, coalesce(r.a, d.first_seen) AS a, r.b, d.overdue
          FROM receipts r JOIN d ON d.id = r.device_id
        UNION ALL
        SELECT d.id, coalesce(max(r.b), d.first_seen), ${to}::float8, d.overdue
          FROM d LEFT JOIN receipts r ON r.device_id = d.id GROUP BY d.id, d.first_seen, d.overdue
      )
      SELECT (SELECT count(*) FROM d)::int AS devices,
             (SELECT sum(${to}::float8 - greatest(${from}::float8, first_seen)) FROM d)::float8 AS observed,
             coalesce(sum(greatest(0, least(b, ${to}::float8) - greatest(a + overdue, ${from}::float8))), 0)::float8 AS down
        FROM steps`;
    return { devices: row.devices, observedMs: row.observed, downMs: row.down };
  } finally {
    await sql.end();
  }
}
