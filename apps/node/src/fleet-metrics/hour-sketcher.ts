import { Counter, Gauge, type Registry } from 'prom-client';
import type { NodeStore } from '../store/client.ts';
import { epochMs } from '../services/order-sql.ts';
import { sketchBinSql } from './sketch-bins-sql.ts';

// The hour sketcher: a background job that keeps rollups_hour_sketch (DDSketch bins per device,
// metric and closed hour) in step with the raw samples, so quantiles over whole hours read sketches
// (docs/decisions/0028). Ingest never touches the sketches; a sketch is complete while its count
// equals the hour rollup's, which ingest keeps.

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * A key whose sketch is missing or whose count differs from its hour rollup's: never sketched, or
 * samples arrived after it was (a device publishing buffered data late).
 */
const STALE = `
  from rollups_hour r
  left join rollups_hour_sketch k on k.device_id = r.device_id and k.metric = r.metric and k.bucket = r.bucket
 where k.count is distinct from r.count`;

const STALE_HOURS = `
select distinct ${epochMs('r.bucket')} as hour ${STALE}
   and r.bucket >= to_timestamp($1 / 1000.0) and r.bucket < to_timestamp($2 / 1000.0)
 order by 1 desc`;

const bin = sketchBinSql('s.value');

// One hour's stale keys sketched from their raw samples, all in SQL: the sample values never leave
// the database. The count and the bins come from one snapshot of the samples, so a sample stored
// while this runs is either in both or in neither (and then the rollup's count differs again).
const SKETCH_HOUR = `
with stale as (
  select r.device_id, r.metric ${STALE} and r.bucket = to_timestamp($1 / 1000.0)
), bins as (
  select s.device_id, s.metric, ${bin.side} as side, ${bin.bin} as bin, count(*) as count
    from samples s join stale t on t.device_id = s.device_id and t.metric = s.metric
   where s.ts >= to_timestamp($1 / 1000.0) and s.ts < to_timestamp($1 / 1000.0 + 3600)
   group by 1, 2, 3, 4
), written as (
  insert into rollups_hour_sketch as k (device_id, metric, bucket, count, bin_sides, bin_keys, bin_counts)
  select device_id, metric, to_timestamp($1 / 1000.0), sum(count)::bigint,
         array_agg(side::smallint order by side, bin), array_agg(bin order by side, bin),
         array_agg(count order by side, bin)
    from bins group by 1, 2 order by 1, 2
  on conflict (device_id, metric, bucket) do update set
    count = excluded.count, bin_sides = excluded.bin_sides, bin_keys = excluded.bin_keys,
    bin_counts = excluded.bin_counts
  returning 1
)
select count(*)::int as written from written`;

export interface SketchPassResult {
  /** Closed hours that had a missing or stale sketch. */
  hours: number;
  /** Device-metric sketches written (new or replaced). */
  sketches: number;
}

/**
 * Sketches every closed hour within the raw retention whose sketch is missing or stale, newest
 * first. Hours older than the raw retention keep the sketch they have: their samples are gone.
 */
export async function sketchClosedHours(
  store: NodeStore,
  options: { now: number; rawRetentionDays: number; stopped?: () => boolean },
): Promise<SketchPassResult> {
  const openHour = Math.floor(options.now / HOUR_MS) * HOUR_MS;
  const hours = await store.exec<{ hour: number }>(STALE_HOURS, [
    options.now - options.rawRetentionDays * DAY_MS,
    openHour,
  ]);
  let sketches = 0;
  for (const { hour } of hours) {
    if (options.stopped?.()) break;
    const [row] = await store.exec<{ written: number }>(SKETCH_HOUR, [hour]);
    sketches += row?.written ?? 0;
  }
  return { hours: hours.length, sketches };
}

/** The sketcher's Prometheus metrics, on the registry the node exposes at /metrics. */
export interface HourSketcherMetrics {
  /** Passes, by outcome (`ok`, `failed`). */
  passes: Counter<'outcome'>;
  /** Device-metric hour sketches written. */
  sketches: Counter;
  /** How long the last pass took. */
  lastPassSeconds: Gauge;
}

export function createHourSketcherMetrics(registry: Registry): HourSketcherMetrics {
  const registers = [registry];
  return {
    passes: new Counter({
      name: 'tierscope_hour_sketcher_passes_total',
      help: 'Passes of the hour sketcher, by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    sketches: new Counter({
      name: 'tierscope_hour_sketches_written_total',
      help: 'Per device, metric and hour DDSketch bins written (new, or replaced after late samples)',
      registers,
    }),
    lastPassSeconds: new Gauge({
      name: 'tierscope_hour_sketcher_last_pass_seconds',
      help: 'How long the last pass of the hour sketcher took',
      registers,
    }),
  };
}

export interface HourSketcherLogger {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** A scheduled sketcher: `run` makes a pass now (after one in progress), `stop` ends it. */
export interface HourSketcher {
  run(): Promise<void>;
  stop(): void;
}

/**
 * Makes a pass now and then every `intervalMs` until stopped. Passes never overlap. A failed pass
 * is logged and counted and leaves a gap the queries fill from raw samples; nothing waits on it.
 */
export function scheduleHourSketcher(options: {
  store: NodeStore;
  intervalMs: number;
  /** Read at each pass: policy may change it. */
  rawRetentionDays: () => number;
  metrics: HourSketcherMetrics;
  logger: HourSketcherLogger;
}): HourSketcher {
  let stopped = false;
  const pass = async () => {
    if (stopped) return;
    const started = performance.now();
    try {
      const result = await sketchClosedHours(options.store, {
        now: Date.now(),
        rawRetentionDays: options.rawRetentionDays(),
        stopped: () => stopped,
      });
      options.metrics.passes.inc({ outcome: 'ok' });
      options.metrics.sketches.inc(result.sketches);
      if (result.sketches > 0) options.logger.info({ ...result }, 'hour sketches written');
    } catch (error) {
      options.metrics.passes.inc({ outcome: 'failed' });
      options.logger.error(
        { err: error },
        'hour sketcher pass failed; quantiles read raw samples until the next',
      );
    } finally {
      options.metrics.lastPassSeconds.set((performance.now() - started) / 1000);
    }
  };
  let queue = pass();
  const run = () => (queue = queue.then(pass));
  const timer = setInterval(() => void run(), options.intervalMs);
  timer.unref();
  return {
    run,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
