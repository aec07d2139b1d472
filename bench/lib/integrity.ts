import type { Backlog, BacklogTrend } from '@tierscope/shared';

/**
 * The counts by which a bench says its own run went wrong: a figure measured while messages were
 * lost, stored twice or never seen, while the node's backlog stopped draining, or while the figures
 * served were wrong, is worth nothing, so any of them above zero fails the run.
 */
const INTEGRITY_COUNTS = ['lost', 'duplicates', 'missing', 'drain_stalls', 'wrong'] as const;

/**
 * How often a node's ingest backlog stalled in a run (decision 18): each time the node called it
 * `stalled` in the readings taken during the run, plus one if it was not back to zero at the end.
 */
export function drainStalls(trends: readonly BacklogTrend[], final: Pick<Backlog, 'depth'> | null): number {
  let stalls = 0;
  let previous: BacklogTrend | undefined;
  for (const trend of trends) {
    if (trend === 'stalled' && previous !== 'stalled') stalls++;
    previous = trend;
  }
  return stalls + (final === null || final.depth > 0 ? 1 : 0);
}

/**
 * What made a bench's result invalid, one line per count above zero, and each budget the bench
 * says it exceeded (`budgets_exceeded`: lines such as "first_route_js_br_kb 131 > 120"); empty
 * when the run is sound.
 */
export function integrityFailures(result: Record<string, unknown>): string[] {
  const counts = INTEGRITY_COUNTS.flatMap((key) => {
    const value = result[key];
    return typeof value === 'number' && value > 0 ? [`${key} = ${value}`] : [];
  });
  const budgets = Array.isArray(result.budgets_exceeded) ? result.budgets_exceeded.map(String) : [];
  return [...counts, ...budgets];
}

/** A bench as bench/run.ts loads it. */
export interface BenchModule {
  runBench(options: { quick: boolean }): Promise<Record<string, unknown>>;
}

/**
 * Runs one bench and writes its one JSON line to `out`; the exit code is 1 when the bench threw
 * or its result is invalid (`integrityFailures`), so CI fails a run that lost data.
 */
export async function runOneBench(
  name: string,
  bench: BenchModule,
  options: { quick: boolean },
  out: { line(text: string): void; progress(text: string): void },
): Promise<number> {
  const result = await bench.runBench(options);
  out.line(JSON.stringify({ bench: name, ...result, quick: options.quick }));
  const failures = integrityFailures(result);
  if (failures.length === 0) return 0;
  out.progress(`${name}: the run is invalid (${failures.join(', ')}): its figures are not a result`);
  return 1;
}
