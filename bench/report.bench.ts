// `npm run bench -- report [--quick]`: how long the fleet report takes through the BFF over ten
// nodes holding a month of history, against the same availability figure computed by scanning
// raw samples on one node (docs/decisions/0027: the report reads status changes and rollups).
// The quick run (CI) asks three nodes over two days: it proves the figures, not the speed.
//
//   bff ─ node-0 … node-9 (dialled), each on its own PostgreSQL database
//
// History (2,000 devices in all, one sample each every 5 minutes, with outages, and alerts) is
// written before any timing, through the node's own ingest store. The run fails when a node is
// missing from the report or the BFF's availability for node-0 differs from the raw scan's.
import { fetchAs } from '@tierscope/test-support/console-session';
import { createTRPCClient, httpLink } from '@trpc/client';
import type { NodeRouter, ReportFigures } from '@tierscope/shared';
import { progressSince, round, type BenchOptions } from './lib/bench.ts';
import { percentile } from './lib/latency.ts';
import { availabilityFromRawSamples, writeHistory } from './lib/report-history.ts';
import { startBff, startInBatches, startLeafNode, type LeafNode } from './lib/tier-process.ts';

/** Progress with the time since the bench started. */
const progress = progressSince(performance.now());

/** The fleet's nodes; the quick run (CI) only checks the figures are right, on fewer. */
const FULL_NODES = 10;
const QUICK_NODES = 3;
const TARGET_RATIO = 0.25;
const START_CONCURRENCY = 3;
/** Two nodes' histories are written at once: one per core. */
const LOAD_CONCURRENCY = 2;
const TIMED_RUNS = 3;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Stored timestamps are microseconds: a device's figure may round by up to a millisecond. */
const ROUNDING_MS_PER_DEVICE = 1;

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await run();
  return { ms: performance.now() - started, value };
}

/** Median time of TIMED_RUNS runs, and the last run's result. */
async function medianOf<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const times: number[] = [];
  let value: T | undefined;
  for (let i = 0; i < TIMED_RUNS; i++) {
    const result = await timed(run);
    times.push(result.ms);
    value = result.value;
  }
  return { ms: percentile(times, 50), value: value as T };
}

export async function runBench(options: BenchOptions): Promise<Record<string, unknown>> {
  const nodes = options.quick ? QUICK_NODES : FULL_NODES;
  const devices = options.quick ? 210 : 2000;
  const days = options.quick ? 2 : 30;
  const to = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - HOUR_MS;
  const from = to - days * DAY_MS;
  const perNode = devices / nodes;

  const leaves: LeafNode[] = await startInBatches(
    Array.from({ length: nodes }, (_, n) => `node-${n}`),
    START_CONCURRENCY,
    (id) => startLeafNode(id),
  );
  try {
    let samples = 0;
    let alerts = 0;
    const loadStarted = performance.now();
    await startInBatches(leaves, LOAD_CONCURRENCY, async (leaf) => {
      const n = Number(leaf.id.slice('node-'.length));
      const loaded = await writeHistory(leaf.database.url, n, { devices: perNode, from, to });
      samples += loaded.samples;
      alerts += loaded.alerts;
      progress(`${leaf.id}: ${loaded.samples} samples, ${loaded.alerts} alerts written`);
      return { stop: async () => {} };
    });
    const loadMs = performance.now() - loadStarted;
    progress(`history written: ${samples} samples in ${round(loadMs / 1000)} s`);

    const bff = await startBff(leaves.map((leaf) => ({ id: leaf.id, url: leaf.tier.url })));
    try {
      const client = createTRPCClient<NodeRouter>({
        links: [httpLink({ url: `${bff.url}/trpc`, fetch: fetchAs(bff.session) })],
      });
      const fleetReport = () => client.reports.figures.query({ from, to });
      await fleetReport(); // warm: connections, plans, caches
      const reportRun = await medianOf(fleetReport);
      progress(`report through the BFF: median ${round(reportRun.ms)} ms`);

      const scanned = leaves[0]!;
      const rawRun = await medianOf(() => availabilityFromRawSamples(scanned.database.url, from, to));
      progress(`raw scan of ${scanned.id}: median ${round(rawRun.ms)} ms`);

      const failures = checkFigures(reportRun.value, rawRun.value, scanned.id, perNode, nodes);
      for (const failure of failures) progress(`wrong: ${failure}`);
      const ratio = reportRun.ms / rawRun.ms;
      return {
        nodes,
        devices,
        days,
        samples,
        alerts,
        report_ms: round(reportRun.ms),
        raw_scan_ms: round(rawRun.ms),
        ratio: round(ratio, 3),
        pdf_ms: null,
        load_s: round(loadMs / 1000),
        availability: round(1 - reportRun.value.total.downMs / reportRun.value.total.observedMs, 5),
        target_ratio: TARGET_RATIO,
        target_met: failures.length === 0 && ratio <= TARGET_RATIO,
        // Counted by integrityFailures: any above zero fails the run.
        missing: nodes - reportRun.value.coverage.answered,
        wrong: failures.length,
      };
    } finally {
      await bff.stop();
    }
  } finally {
    await Promise.all(leaves.map((leaf) => leaf.stop()));
  }
}

/** What is wrong with the report: a node missing, or node `scannedId`'s availability not the raw scan's. */
function checkFigures(
  figures: ReportFigures,
  raw: { devices: number; observedMs: number; downMs: number },
  scannedId: string,
  perNode: number,
  nodes: number,
): string[] {
  const failures: string[] = [];
  const unanswered = figures.coverage.nodes.filter((node) => node.state !== 'ok');
  if (figures.coverage.answered !== nodes || unanswered.length > 0)
    failures.push(`answered ${figures.coverage.answered}/${nodes}: ${JSON.stringify(unanswered)}`);
  const node = figures.groups.node.find((group) => group.key.split('/').at(-1) === scannedId);
  if (!node) return [...failures, `${scannedId} is not among the report's nodes`];
  const tolerance = perNode * ROUNDING_MS_PER_DEVICE;
  if (node.devices !== raw.devices || node.devices !== perNode)
    failures.push(`${scannedId}: ${node.devices} devices in the report, ${raw.devices} scanned`);
  if (Math.abs(node.observedMs - raw.observedMs) > tolerance)
    failures.push(`${scannedId}: observed ${node.observedMs} ms in the report, ${raw.observedMs} scanned`);
  if (Math.abs(node.downMs - raw.downMs) > tolerance)
    failures.push(`${scannedId}: down ${node.downMs} ms in the report, ${raw.downMs} scanned`);
  if (figures.alerts.total === 0) failures.push('no alerts in the report');
  return failures;
}
