// The check after each scenario: the probe's database against the simulator's acked files, and the
// BFF's alert list against the alert traffic, polled until consistent or a deadline.
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import type { Alert, AlertPage } from '@tierscope/shared';
import { accountAlerts, accountSamples, accountStream, parseAcked, type StoredGroup } from './accounting.ts';
import type { Topology } from './topology.ts';
import { ALERT_RULE, type AlertTraffic, type AlertWatch, type ConsoleClient } from './traffic.ts';

export interface CheckFigures {
  ackedMissing: number;
  duplicates: number;
  alertsMissing: number;
  /** Why the state is not consistent yet (empty when it is). */
  pending: string[];
  /** What was checked, for the progress line. */
  checked: string;
}

/** Everything acked stored once, every alert transition listed once by the BFF, with no node missing. */
export async function checkOnce(
  topology: Topology,
  alerts: AlertTraffic,
  client: ConsoleClient,
  stream: AlertWatch,
  extra: () => Promise<string | undefined> = async () => undefined,
): Promise<CheckFigures> {
  const pending: string[] = [];
  const acked = topology.ackedFiles().flatMap((file) => parseAcked(readFileOrEmpty(file)));
  const expectedAlerts = alerts.history();
  let samples = { ackedMissing: 0, duplicates: 0 };
  try {
    samples = accountSamples(acked, await storedGroups(topology.probeDatabaseUrl), topology.t0);
    if (samples.ackedMissing > 0) pending.push(`${samples.ackedMissing} acked samples not stored`);
    if (samples.duplicates > 0) pending.push(`${samples.duplicates} samples stored twice`);
  } catch (error) {
    pending.push(`probe database: ${error instanceof Error ? error.message : String(error)}`);
    samples = { ackedMissing: acked.length * 4, duplicates: 0 };
  }
  let alertCounts = { missing: 0, duplicates: 0 };
  let episodes = 0;
  const streamed = [...stream.seen().values()].reduce((n, seen) => n + seen.fired + seen.resolved, 0);
  const listed = await listAlerts(client);
  if (typeof listed === 'string') {
    pending.push(listed);
    alertCounts = { missing: [...expectedAlerts.values()].reduce((n, h) => n + h.fired, 0), duplicates: 0 };
  } else {
    episodes = listed.length;
    const inList = accountAlerts(expectedAlerts, listed, ALERT_RULE.id);
    const onStream = accountStream(listed, stream.seen(), ALERT_RULE.id);
    alertCounts = {
      missing: inList.missing + onStream.missing,
      duplicates: inList.duplicates + onStream.duplicates,
    };
    if (inList.missing > 0) pending.push(`${inList.missing} alert transitions not in the BFF's list`);
    if (inList.duplicates > 0) pending.push(`${inList.duplicates} alerts listed twice`);
    if (onStream.missing > 0) pending.push(`${onStream.missing} alert changes not on the BFF's stream`);
    if (onStream.duplicates > 0) pending.push(`${onStream.duplicates} alert changes streamed twice`);
  }
  const extraPending = await extra();
  if (extraPending) pending.push(extraPending);
  return {
    ackedMissing: samples.ackedMissing,
    duplicates: samples.duplicates + alertCounts.duplicates,
    alertsMissing: alertCounts.missing,
    pending,
    checked: `${acked.length * 4} acked samples, ${episodes} alert episodes, ${streamed} streamed alert changes`,
  };
}

/** Polls `checkOnce` until nothing is pending or `timeoutMs` passes; the last figures and the time taken. */
export async function waitConsistent(
  check: () => Promise<CheckFigures>,
  timeoutMs: number,
): Promise<{ figures: CheckFigures; seconds: number; recovered: boolean }> {
  const started = Date.now();
  for (;;) {
    const figures = await check();
    const seconds = (Date.now() - started) / 1000;
    if (figures.pending.length === 0) return { figures, seconds, recovered: true };
    if (Date.now() - started > timeoutMs) return { figures, seconds, recovered: false };
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function storedGroups(url: string): Promise<StoredGroup[]> {
  const sql = postgres(url, { max: 1, connect_timeout: 5, idle_timeout: 1, onnotice: () => undefined });
  try {
    const rows = await sql<{ device_id: string; ms: string; rows: number; metrics: number }[]>`
      SELECT device_id, (extract(epoch FROM ts) * 1000)::bigint::text AS ms,
             count(*)::int AS rows, count(DISTINCT metric)::int AS metrics
      FROM samples WHERE device_id LIKE 'bench-dev-%' GROUP BY device_id, ts`;
    return rows.map((row) => ({
      deviceId: row.device_id,
      ts: Number(row.ms),
      rows: row.rows,
      metrics: row.metrics,
    }));
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Every fault-suite alert the BFF lists, or why it could not list them all. */
async function listAlerts(client: ConsoleClient): Promise<Alert[] | string> {
  const alerts: Alert[] = [];
  let cursor: string | null = null;
  do {
    const result = await client.call('alerts.list', {
      input: { search: 'fault-alarm', limit: 500, ...(cursor !== null && { cursor }) },
    });
    if (!result.ok)
      return `BFF alerts.list: ${result.kind === 'status' ? `HTTP ${result.status}` : result.message}`;
    const page = result.data as AlertPage;
    if (page.coverage.answered < page.coverage.asked)
      return `BFF alerts.list is partial: ${page.coverage.nodes
        .filter((n) => n.state !== 'ok')
        .map((n) => `${n.path} ${n.state}`)
        .join(', ')}`;
    alerts.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return alerts;
}

function readFileOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
