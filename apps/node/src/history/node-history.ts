import {
  type NodeHistoryMetric,
  nodeHistoryBucketMs,
  selfCoverage,
  type NodeHistory,
  type NodeHistoryInput,
  type NodeInfo,
} from '@tierscope/shared';
import type { NodeStore } from '../store/client.ts';
import { epochMs } from '../services/order-sql.ts';
import { elapsedSince } from '../services/paging.ts';
import { pathSelects } from '../services/path-scoped.ts';

/** One reading of every series the node keeps of itself. */
export type NodeHistoryReading = Record<NodeHistoryMetric, number>;

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Minute rows serve a day's charts and hour rows a month's; older rows are pruned. */
const KEEP_MINUTES_MS = 2 * DAY_MS;
const KEEP_HOURS_MS = 32 * DAY_MS;

export function readingOf(info: NodeInfo): NodeHistoryReading {
  return {
    'ingest.samplesPerSec': info.ingest.samplesPerSec,
    'ingest.queueDepth': info.ingest.queueDepth,
    'devices.online': info.devices.online,
    'deadLetters.total': info.ingest.deadLettersTotal,
  };
}

const upsert = (table: string) => `
  insert into ${table} as h (metric, bucket, min, max, sum, count)
  select key, to_timestamp($1 / 1000.0), value::float8, value::float8, value::float8, 1
    from jsonb_each_text($2::jsonb)
  on conflict (metric, bucket) do update set
    min = least(h.min, excluded.min), max = greatest(h.max, excluded.max),
    sum = h.sum + excluded.sum, count = h.count + excluded.count`;

/** Adds a reading taken at `at` to its minute and hour rollups, as ingest rolls samples up. */
export async function recordNodeHistory(
  store: NodeStore,
  at: number,
  reading: NodeHistoryReading,
): Promise<void> {
  const values = JSON.stringify(reading);
  await store.exec(upsert('node_history_minute'), [Math.floor(at / MINUTE_MS) * MINUTE_MS, values]);
  await store.exec(upsert('node_history_hour'), [Math.floor(at / HOUR_MS) * HOUR_MS, values]);
}

async function pruneNodeHistory(store: NodeStore, now: number): Promise<void> {
  await store.exec(`delete from node_history_minute where bucket < to_timestamp($1 / 1000.0)`, [
    now - KEEP_MINUTES_MS,
  ]);
  await store.exec(`delete from node_history_hour where bucket < to_timestamp($1 / 1000.0)`, [
    now - KEEP_HOURS_MS,
  ]);
}

export interface NodeHistoryRecorder {
  stop(): void;
}

/**
 * Takes a reading every `intervalMs` and records it; prunes old rows once an hour. A failed reading
 * or write is logged and the next one tried: the node's history has a gap, nothing else stops.
 */
export function scheduleNodeHistory(options: {
  store: NodeStore;
  intervalMs: number;
  read: () => Promise<NodeHistoryReading>;
  onError: (error: unknown) => void;
  now?: () => number;
}): NodeHistoryRecorder {
  const now = options.now ?? Date.now;
  let prunedHour = -1;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const at = now();
      await recordNodeHistory(options.store, at, await options.read());
      if (Math.floor(at / HOUR_MS) !== prunedHour) {
        prunedHour = Math.floor(at / HOUR_MS);
        await pruneNodeHistory(options.store, at);
      }
    } catch (error) {
      options.onError(error);
    } finally {
      running = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** This node's series of `input.metric` over the range, from its minute or hour rollups. */
export async function nodeHistoryLocally(
  deps: { store: NodeStore; nodePath: string },
  input: NodeHistoryInput,
): Promise<NodeHistory> {
  const started = performance.now();
  const bucketMs = nodeHistoryBucketMs(input);
  if (!pathSelects(input.nodePath, deps.nodePath))
    return { metric: input.metric, bucketMs, series: [], coverage: { asked: 0, answered: 0, nodes: [] } };
  const table = bucketMs === MINUTE_MS ? 'node_history_minute' : 'node_history_hour';
  const points = await deps.store.exec<{ ts: number; avg: number; min: number; max: number; count: number }>(
    `select ${epochMs('bucket')} as ts, sum / count as avg, min, max, count::int as count
       from ${table}
      where metric = $1 and bucket >= to_timestamp($2 / 1000.0) and bucket < to_timestamp($3 / 1000.0)
      order by bucket`,
    [input.metric, Math.floor(input.from / bucketMs) * bucketMs, input.to],
  );
  return {
    metric: input.metric,
    bucketMs,
    series: points.length > 0 ? [{ nodePath: deps.nodePath, points }] : [],
    coverage: selfCoverage(deps.nodePath, elapsedSince(started)),
  };
}
