// `npm run bench -- federation [--quick]`: the BFF federating 10 real leaf nodes, against the same
// queries sent straight to the nodes, in the same run; then the BFF with one node frozen (SIGSTOP).
//
// Topology: 10 `apps/node` processes, each on a fresh PostgreSQL database with its embedded broker,
// loaded over MQTT (devices by telemetry, then events); one `apps/bff` process dialing all 10.
// Every sample is one sequential HTTP GET of /trpc/<proc>, timed to the parsed body. Each round
// sends every query to the BFF and to every node in a fresh random order, so noise hits both alike.
import { progressSince, round, type BenchOptions } from './lib/bench.ts';
import { firstRoundLimit } from '@tierscope/federation';
import { FULL_TEXT_QUERY, loadNode, type FleetShape } from './lib/fleet-data.ts';
import { availableParallelism } from 'node:os';
import { percentile, shuffle, summarize, timedQuery, type Summary, type TimedAnswer } from './lib/latency.ts';
import { cpuBetween, pidsOfCommand } from './lib/process-cpu.ts';
import {
  bffApi,
  childStates,
  sleep,
  startBff,
  startInBatches,
  startLeafNode,
  waitChildrenUp,
  type BffApi,
  type BffProcess,
  type LeafNode,
} from './lib/tier-process.ts';

const NODES = 10;
/** Progress with the time since the bench started. */
const progress = progressSince(performance.now());
/** Nodes started (and loaded) at once: each start is a tsx compile plus migrations, on 2 cores. */
const START_CONCURRENCY = 3;
/** The BFF's default (apps/bff/src/env.ts); BENCH_FEDERATION_DEADLINE_MS overrides it. */
const DEADLINE_MS = Number(process.env.BENCH_FEDERATION_DEADLINE_MS ?? 1500);
/** Target: bff_p95 ≤ RATIO_TARGET × direct_slowest_p95 + SLACK_MS; stalled p95 ≤ deadline + STALL_SLACK_MS. */
const RATIO_TARGET = 1.3;
const SLACK_MS = 5;
const STALL_SLACK_MS = 50;

const PARALLEL = 'direct_all_parallel';

interface Query {
  name: string;
  procedure: string;
  input: { limit: number; query?: string };
}

/** The two queries of the target; `--quick` measures only these. */
const TARGET_QUERIES: readonly Query[] = [
  { name: 'devices_list', procedure: 'devices.list', input: { limit: 100 } },
  { name: 'events_search', procedure: 'events.search', input: { limit: 100 } },
];
const QUERIES: readonly Query[] = [
  ...TARGET_QUERIES,
  { name: 'events_search_text', procedure: 'events.search', input: { limit: 100, query: FULL_TEXT_QUERY } },
];

/**
 * Node i: a little more data than node i-1, so the last one is the largest. With limit-100 pages on
 * indexes the size barely moves a query's cost, so which node measures slowest varies by run.
 */
function shapeOf(index: number): FleetShape {
  return { devices: 180 + 10 * index, events: 900 + 50 * index };
}

interface Target {
  name: string;
  ask(query: Query): Promise<TimedAnswer>;
}

const ANSWER_TIMEOUT_MS = DEADLINE_MS + 5000;

function httpTarget(name: string, url: string, headers: Record<string, string> = {}): Target {
  return {
    name,
    async ask(query) {
      const answer = await timedQuery(
        url,
        query.procedure,
        query.input,
        AbortSignal.timeout(ANSWER_TIMEOUT_MS),
        headers,
      );
      if (answer.items !== query.input.limit) {
        throw new Error(
          `${query.name} at ${name} returned ${answer.items} items, expected ${String(query.input.limit)}`,
        );
      }
      return answer;
    },
  };
}

/**
 * The BFF's first round without the BFF: the bench asks every node at once for what the BFF's first
 * round asks each of them (`firstRoundLimit`), timed until the last answer. That is what the
 * machine needs for a fan-out when the federating tier costs nothing (all nodes compete for the
 * same cores). Not part of the target; it separates the BFF's own cost from the fan-out's.
 */
function parallelTarget(name: string, urls: readonly string[]): Target {
  return {
    name,
    async ask(query) {
      const input = { ...query.input, limit: firstRoundLimit(query.input.limit, urls.length) };
      const started = performance.now();
      const answers = await Promise.all(
        urls.map((url) => timedQuery(url, query.procedure, input, AbortSignal.timeout(ANSWER_TIMEOUT_MS))),
      );
      const ms = performance.now() - started;
      return {
        ms,
        items: answers.reduce((sum, a) => sum + a.items, 0),
        coverage: { asked: urls.length, answered: urls.length, nodes: [] },
      };
    },
  };
}

export async function runBench(options: BenchOptions): Promise<Record<string, unknown>> {
  const rounds = options.quick ? 30 : 200;
  const warmupRounds = options.quick ? 3 : 20;
  const stallCycles = options.quick ? 1 : 3;
  const stallWindowMs = options.quick ? 4000 : 6000;
  const queries = options.quick ? TARGET_QUERIES : QUERIES;
  const ids = Array.from({ length: NODES }, (_, i) => `node-${String(i + 1).padStart(2, '0')}`);
  const startedAt = performance.now();

  let nodes: LeafNode[] = [];
  let bff: BffProcess | undefined;
  try {
    progress(`starting ${NODES} nodes, ${START_CONCURRENCY} at a time`);
    nodes = await startInBatches(ids, START_CONCURRENCY, (id) => startLeafNode(id));
    progress(`nodes up in ${round((performance.now() - startedAt) / 1000, 1)} s; loading data`);
    await startInBatches(
      nodes.map((node, i) => ({ node, i })),
      START_CONCURRENCY,
      async ({ node, i }) => {
        await loadNode(node, shapeOf(i), i);
        return { stop: async () => undefined };
      },
    );
    bff = await startBff(
      nodes.map((n) => ({ id: n.id, url: n.tier.url })),
      { FEDERATION_DEADLINE_MS: String(DEADLINE_MS) },
    );
    await waitChildrenUp(bffApi(bff), ids);

    const targets: Target[] = [
      httpTarget('bff', bff.url, bff.session.headers),
      ...nodes.map((n) => httpTarget(n.id, n.tier.url)),
      // The parallel baseline is a diagnostic: --quick (CI) leaves it out to stay within its time.
      ...(options.quick
        ? []
        : [
            parallelTarget(
              PARALLEL,
              nodes.map((n) => n.tier.url),
            ),
          ]),
    ];

    progress(`warm-up: ${warmupRounds} rounds`);
    await measureRounds(queries, targets, warmupRounds);
    progress(`measuring: ${rounds} rounds of ${queries.length} queries × ${targets.length} targets`);
    const measured = await measureRounds(queries, targets, rounds);
    const normal = analyseNormal(queries, measured, ids);
    progress(
      `bff p95 ${normal.bffP95} ms (${normal.slowerQuery}), direct slowest p95 ${normal.directSlowestP95} ms ` +
        `(${normal.directSlowestNode}), ratio ${normal.ratio}`,
    );

    progress('CPU per query: the BFF, then the slowest node directly');
    const cpu = await measureCpuPerQuery(
      queries,
      targets[0]!,
      targets.find((t) => t.name === normal.directSlowestNode)!,
      { bff: [bff.pid], nodes: nodes.map((n) => n.tier.pid), postgres: await pidsOfCommand('postgres') },
      options.quick ? 10 : 50,
    );
    progress(`CPU per query: ${JSON.stringify(cpu)}`);

    // Freeze a node that is not the slowest, so the direct baseline stays what it was measured against.
    const frozenIndex = nodes.findIndex((n) => n.id !== normal.directSlowestNode);
    const frozen = nodes[frozenIndex]!;
    const stalled = await measureStalled(queries, bffApi(bff), frozen, ids, stallCycles, stallWindowMs);

    const bffP95 = normal.bffP95;
    const parallelP95 = normal.perQuery[normal.slowerQuery]!.direct_all_parallel?.p95;
    const direct = normal.directSlowestP95;
    return {
      nodes: NODES,
      bff_p95_ms: bffP95,
      direct_slowest_p95_ms: direct,
      ratio: normal.ratio,
      stalled_bff_p95_ms: stalled.p95,
      deadline_ms: DEADLINE_MS,
      target_ms: round(RATIO_TARGET * direct + SLACK_MS, 2),
      target_met: bffP95 <= RATIO_TARGET * direct + SLACK_MS,
      stalled_target_met: stalled.p95 <= DEADLINE_MS + STALL_SLACK_MS,
      slower_query: normal.slowerQuery,
      // The BFF's first round sent by the bench straight to all 10 nodes at once: the fan-out's floor.
      direct_all_parallel_p95_ms: parallelP95 ?? null,
      ratio_to_parallel: parallelP95 === undefined ? null : round(bffP95 / parallelP95, 2),
      direct_slowest_node: normal.directSlowestNode,
      // CPU ms per query over every process, and the p95 it leaves possible on this machine's cores.
      cpu_per_query: cpu,
      queries: normal.perQuery,
      bff_breakdown: normal.breakdown,
      bff_partial_answers: normal.partialAnswers,
      stalled: stalled.detail,
      samples_per_query: rounds,
      data: {
        devices: nodes.reduce((sum, _n, i) => sum + shapeOf(i).devices, 0),
        events: nodes.reduce((sum, _n, i) => sum + shapeOf(i).events, 0),
        per_node_min: shapeOf(0),
        per_node_max: shapeOf(NODES - 1),
      },
      seconds: round((performance.now() - startedAt) / 1000, 1),
    };
  } finally {
    progress('stopping the BFF and the nodes');
    await bff?.stop().catch((error: unknown) => progress(`stopping bff: ${String(error)}`));
    await Promise.all(
      nodes.map((n) => n.stop().catch((error: unknown) => progress(`stopping ${n.id}: ${String(error)}`))),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Normal operation: BFF and direct, interleaved.

/** samples[query][target] */
type Samples = Map<string, Map<string, TimedAnswer[]>>;

async function measureRounds(
  queries: readonly Query[],
  targets: readonly Target[],
  rounds: number,
): Promise<Samples> {
  const samples: Samples = new Map(queries.map((q) => [q.name, new Map(targets.map((t) => [t.name, []]))]));
  for (let r = 0; r < rounds; r++) {
    for (const query of shuffle([...queries])) {
      for (const target of shuffle([...targets])) {
        samples
          .get(query.name)!
          .get(target.name)!
          .push(await target.ask(query));
      }
    }
  }
  return samples;
}

interface QueryResult {
  bff: Summary;
  /** All 10 nodes asked at once by the bench itself (no BFF), until the last answer. */
  direct_all_parallel?: Summary;
  direct_slowest: Summary & { node: string };
  ratio: number;
  direct_p95_by_node: Record<string, number>;
}

function analyseNormal(queries: readonly Query[], samples: Samples, ids: readonly string[]) {
  const perQuery: Record<string, QueryResult> = {};
  const breakdown: Record<string, Record<string, Summary>> = {};
  let partialAnswers = 0;
  for (const query of queries) {
    const byTarget = samples.get(query.name)!;
    const bffAnswers = byTarget.get('bff')!;
    const bff = summarize(bffAnswers.map((a) => a.ms));
    const direct = ids.map((id) => ({ id, summary: summarize(byTarget.get(id)!.map((a) => a.ms)) }));
    const slowest = direct.reduce((a, b) => (b.summary.p95 > a.summary.p95 ? b : a));
    perQuery[query.name] = {
      bff,
      ...(byTarget.has(PARALLEL) && {
        direct_all_parallel: summarize(byTarget.get(PARALLEL)!.map((a) => a.ms)),
      }),
      direct_slowest: { node: slowest.id, ...slowest.summary },
      ratio: round(bff.p95 / slowest.summary.p95, 2),
      direct_p95_by_node: Object.fromEntries(direct.map((d) => [d.id, d.summary.p95])),
    };
    // Where the BFF's time goes: the slowest child as the BFF saw it (its coverage block) versus
    // the whole answer; the rest is the BFF's own work plus the extra HTTP hop.
    const slowestChild = bffAnswers.map((a) => Math.max(0, ...a.coverage.nodes.map((n) => n.latencyMs)));
    breakdown[query.name] = {
      total: bff,
      slowest_child_in_coverage: summarize(slowestChild),
      bff_own: summarize(bffAnswers.map((a, i) => a.ms - slowestChild[i]!)),
    };
    partialAnswers += bffAnswers.filter((a) => a.coverage.answered < a.coverage.asked).length;
  }
  // The headline is the slower of the two queries; the full-text one is reported beside it.
  const slowerQuery = TARGET_QUERIES.reduce((a, b) =>
    perQuery[b.name]!.bff.p95 > perQuery[a.name]!.bff.p95 ? b : a,
  ).name;
  const slower = perQuery[slowerQuery]!;
  return {
    slowerQuery,
    bffP95: slower.bff.p95,
    directSlowestP95: slower.direct_slowest.p95,
    directSlowestNode: slower.direct_slowest.node,
    ratio: slower.ratio,
    perQuery,
    breakdown,
    partialAnswers,
  };
}

// ---------------------------------------------------------------------------------------------
// What a query costs the machine.

type CpuGroups = Record<'bff' | 'nodes' | 'postgres', readonly number[]>;

/**
 * CPU ms per query summed over every process it runs in: a run of queries through the BFF, then the
 * same run sent straight to the slowest node. On C cores an answer that needs N ms of CPU cannot
 * come sooner than N / C ms, so `fan_out_floor_ms` bounds from below what the BFF's latency can be
 * here, whatever the code does. The heartbeats run through both runs and are counted in both.
 */
async function measureCpuPerQuery(
  queries: readonly Query[],
  bff: Target,
  slowest: Target,
  groups: CpuGroups,
  rounds: number,
) {
  const asked = rounds * queries.length;
  const runAll = (target: Target) => async () => {
    for (let r = 0; r < rounds; r++) for (const query of queries) await target.ask(query);
  };
  const perQuery = (used: Record<keyof CpuGroups, number>) => ({
    bff_ms: round(used.bff / asked, 2),
    nodes_ms: round(used.nodes / asked, 2),
    postgres_ms: round(used.postgres / asked, 2),
    total_ms: round((used.bff + used.nodes + used.postgres) / asked, 2),
  });
  const viaBff = perQuery(await cpuBetween(groups, runAll(bff)));
  const direct = perQuery(await cpuBetween(groups, runAll(slowest)));
  const cores = availableParallelism();
  return {
    queries: asked,
    cores,
    via_bff: viaBff,
    direct_one_node: direct,
    fan_out_floor_ms: round(viaBff.total_ms / cores, 2),
    direct_floor_ms: round(direct.total_ms / cores, 2),
  };
}

// ---------------------------------------------------------------------------------------------
// One node frozen: before and after the BFF's heartbeat marks it down.

interface StalledSample {
  query: string;
  ms: number;
  /** From the SIGSTOP to the start of the request. */
  sinceFreezeMs: number;
  /** What the answer's coverage said of the frozen node. */
  frozenState: string;
  answered: number;
}

async function measureStalled(
  queries: readonly Query[],
  bff: BffApi,
  frozen: LeafNode,
  ids: readonly string[],
  cycles: number,
  windowMs: number,
) {
  const samples: StalledSample[] = [];
  const downAfter: number[] = [];
  const firstDownSample: number[] = [];
  let failures = 0;
  for (let cycle = 0; cycle < cycles; cycle++) {
    progress(
      `stalled ${cycle + 1}/${cycles}: SIGSTOP ${frozen.id} (pid ${frozen.tier.pid}) for ${windowMs} ms of queries`,
    );
    frozen.tier.freeze();
    const frozenAt = performance.now();
    // When the heartbeat marks the frozen node down, as node.info says (polled every 100 ms).
    const poller = pollDown(bff, frozen.id, frozenAt);
    try {
      // Each cycle starts with another query, so the waits before the node is marked down don't all land on one.
      let k = cycle;
      let firstDown: number | undefined;
      while (performance.now() - frozenAt < windowMs) {
        const query = queries[k++ % queries.length]!;
        const sinceFreezeMs = performance.now() - frozenAt;
        try {
          // Never hang: an answer later than deadline + 5 s is a failure, not a sample.
          const answer = await timedQuery(
            bff.url,
            query.procedure,
            query.input,
            AbortSignal.timeout(ANSWER_TIMEOUT_MS),
            bff.headers,
          );
          const state = answer.coverage.nodes.find((n) => n.path === frozen.id)?.state ?? 'missing';
          if (state === 'unreachable' && firstDown === undefined) firstDown = sinceFreezeMs;
          samples.push({
            query: query.name,
            ms: answer.ms,
            sinceFreezeMs,
            frozenState: state,
            answered: answer.coverage.answered,
          });
        } catch (error) {
          failures++;
          progress(`stalled query failed: ${String(error)}`);
        }
      }
      if (firstDown !== undefined) firstDownSample.push(round(firstDown));
    } finally {
      const downAt = await poller.stop();
      if (downAt !== undefined) downAfter.push(round(downAt));
      frozen.tier.thaw();
    }
    await waitChildrenUp(bff, ids);
  }

  const whole: Record<string, Summary> = {};
  for (const query of queries)
    whole[query.name] = summarize(samples.filter((s) => s.query === query.name).map((s) => s.ms));
  // The whole window, every query: the waits before the heartbeat marked the node down and the rest.
  const all = summarize(samples.map((s) => s.ms));
  const beforeDown = samples.filter((s) => s.frozenState === 'timeout');
  const afterDown = samples.filter((s) => s.frozenState === 'unreachable');
  const states: Record<string, number> = {};
  for (const s of samples) states[s.frozenState] = (states[s.frozenState] ?? 0) + 1;
  return {
    p95: all.p95,
    detail: {
      frozen_node: frozen.id,
      cycles,
      window_ms: windowMs,
      samples: samples.length,
      failures,
      frozen_state_counts: states,
      all_queries: all,
      per_query: whole,
      // The frozen node answered `timeout`: the BFF waited its deadline for it.
      before_down: summarize(beforeDown.map((s) => s.ms)),
      // The heartbeat had marked it down: skipped at once (`unreachable`).
      after_down: summarize(afterDown.map((s) => s.ms)),
      // From the SIGSTOP until the BFF's node.info showed the node down.
      marked_down_after_ms: downAfter,
      // From the SIGSTOP until the first sampled query skipped it (coarser: a query before it waited the deadline).
      first_skipped_query_after_ms: firstDownSample,
      min_answered: samples.length ? Math.min(...samples.map((s) => s.answered)) : 0,
      over_deadline_plus_50: samples.filter((s) => s.ms > DEADLINE_MS + STALL_SLACK_MS).length,
      p99_all: round(
        percentile(
          samples.map((s) => s.ms),
          99,
        ),
        2,
      ),
    },
  };
}

/** Polls the BFF's node.info until `id` is down; `stop` ends the polling and returns ms from `since`. */
function pollDown(bff: BffApi, id: string, since: number): { stop(): Promise<number | undefined> } {
  let running = true;
  let downAt: number | undefined;
  const loop = (async () => {
    while (running && downAt === undefined) {
      const state = await childStates(bff, undefined, ANSWER_TIMEOUT_MS).then(
        (states) => states.get(id),
        () => undefined,
      );
      if (state === 'down') downAt = performance.now() - since;
      else await sleep(100);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return downAt;
    },
  };
}
