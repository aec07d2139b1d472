import type { NodeStore } from './client.ts';
import { dropSamplePartition, listSamplePartitions } from './partitions.ts';

const DAY_MS = 24 * 3600 * 1000;
const RETENTION_INTERVAL_MS = 3600_000;
export const MINUTE_ROLLUP_DAYS = 90;
export const HOUR_ROLLUP_DAYS = 2 * 365;

export interface RetentionOptions {
  rawRetentionDays: number;
  /**
   * How long rollups are kept (fleet policy's retention.rollupDays): hour rollups this long, minute
   * rollups this long but never past MINUTE_ROLLUP_DAYS. Unset: the built-in limits.
   */
  rollupDays?: number | undefined;
  deadLetterLimit: number;
  /** epoch ms; tests pass a fixed clock. */
  now?: number;
}

export interface RetentionResult {
  droppedPartitions: string[];
  minuteRollupsDeleted: number;
  hourRollupsDeleted: number;
  hourSketchesDeleted: number;
  deadLettersDeleted: number;
}

/**
 * Enforces every retention limit once; the node runs it at start and hourly. Raw samples go a whole
 * day partition at a time (a DROP, never a DELETE: no dead rows, no vacuum debt); a partition is
 * dropped only when all of its day is older than the raw retention.
 */
export async function runRetention(store: NodeStore, options: RetentionOptions): Promise<RetentionResult> {
  const now = options.now ?? Date.now();
  const rawCutoff = now - options.rawRetentionDays * DAY_MS;
  const droppedPartitions: string[] = [];
  for (const partition of await listSamplePartitions(store)) {
    if (partition.day + DAY_MS > rawCutoff) continue;
    await dropSamplePartition(store, partition.name);
    droppedPartitions.push(partition.name);
  }
  const minuteDays = Math.min(MINUTE_ROLLUP_DAYS, options.rollupDays ?? MINUTE_ROLLUP_DAYS);
  const hourDays = options.rollupDays ?? HOUR_ROLLUP_DAYS;
  const [minute] = await store.exec<{ n: number }>(
    `with d as (delete from rollups_minute where bucket < $1::timestamptz returning 1) select count(*)::int as n from d`,
    [new Date(now - minuteDays * DAY_MS).toISOString()],
  );
  const hourCutoff = new Date(now - hourDays * DAY_MS).toISOString();
  const [hour] = await store.exec<{ n: number }>(
    `with d as (delete from rollups_hour where bucket < $1::timestamptz returning 1) select count(*)::int as n from d`,
    [hourCutoff],
  );
  // Hour sketches go with the hour rollups they complete.
  const [sketches] = await store.exec<{ n: number }>(
    `with d as (delete from rollups_hour_sketch where bucket < $1::timestamptz returning 1) select count(*)::int as n from d`,
    [hourCutoff],
  );
  // Newest by id, i.e. by arrival: keep the last deadLetterLimit rows.
  const [dead] = await store.exec<{ n: number }>(
    `with d as (
       delete from dead_letters
        where id <= (select id from dead_letters order by id desc offset $1::int limit 1)
        returning 1)
     select count(*)::int as n from d`,
    [options.deadLetterLimit],
  );
  return {
    droppedPartitions,
    minuteRollupsDeleted: minute?.n ?? 0,
    hourRollupsDeleted: hour?.n ?? 0,
    hourSketchesDeleted: sketches?.n ?? 0,
    deadLettersDeleted: dead?.n ?? 0,
  };
}

/** Where a scheduled retention run reports what it did, or why it failed. */
export interface RetentionLogger {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** A scheduled retention: `run` enforces the limits now (after a run in progress), `stop` ends it. */
export interface RetentionSchedule {
  run(): Promise<void>;
  stop(): void;
}

/**
 * Runs retention now and then every hour until stopped, with the limits `options` gives at each run
 * (policy may change them; the node runs it again when it does). Runs never overlap. A failed run
 * is logged and tried again at the next hour; it never stops the node.
 */
export async function scheduleRetention(
  store: NodeStore,
  options: () => Omit<RetentionOptions, 'now'>,
  logger: RetentionLogger,
): Promise<RetentionSchedule> {
  const runOnce = async () => {
    try {
      logger.info({ ...(await runRetention(store, options())) }, 'retention ran');
    } catch (error) {
      logger.error({ err: error }, 'retention failed; will try again next hour');
    }
  };
  let queue = runOnce();
  await queue;
  const run = () => (queue = queue.then(runOnce));
  const timer = setInterval(() => void run(), RETENTION_INTERVAL_MS);
  timer.unref();
  return { run, stop: () => clearInterval(timer) };
}
