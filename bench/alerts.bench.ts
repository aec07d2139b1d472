// `npm run bench -- alerts [--quick]`: latency from the MQTT publish of a violating sample to the
// alert change reaching a subscriber of the BFF, through three tiers, while the probes ingest
// background telemetry from the device simulator.
//
// Topology: probe-a and probe-b (leaf nodes, each on a fresh PostgreSQL database with its embedded
// broker) ← district-1 (a node federating both) ← BFF. One threshold rule on each probe. Alerts are
// raised on distinct devices, alternating probes, a few in flight at a time; each latency runs
// from just before the QoS 1 publish to the change's arrival over the BFF's SSE stream.
import mqtt from 'mqtt';
import { createHttpChildLink, remoteOfClient } from '@tierscope/federation';
import { fetchAs } from '@tierscope/test-support/console-session';
import { SIMULATOR_MAIN, spawnProcess, type SpawnedProcess } from '@tierscope/test-support/processes';
import type { Rule } from '@tierscope/shared';
import { onInterrupt, progress, round, type BenchOptions } from './lib/bench.ts';
import { percentile } from './lib/latency.ts';
import { sleep, startThreeTiers } from './lib/tier-process.ts';

const TARGET_P99_MS = 500;
/** Background load per probe: simulated devices × messages per second each (several metrics per message). */
const BACKGROUND_DEVICES = 100;
const BACKGROUND_RATE = 5;
/** Alerts raised per second, spread over both probes. */
const ALERTS_PER_SECOND = 20;

const rule: Rule = {
  id: 'bench-hot',
  name: 'Bench: too hot',
  severity: 'critical',
  enabled: true,
  scope: { devicePattern: 'alarm-*', labels: {} },
  condition: { kind: 'threshold', metric: 'bench_temp', operator: '>', value: 100, hysteresis: 0, forMs: 0 },
};

export async function runBench(options: BenchOptions): Promise<Record<string, unknown>> {
  const alertCount = options.quick ? 300 : 1000;
  const started: Array<{ stop(): Promise<unknown> }> = [];
  const simulators: SpawnedProcess[] = [];
  const cleanup = async () => {
    await Promise.all(simulators.map((sim) => sim.stop()));
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
  };
  const removeCleanup = onInterrupt(cleanup);
  try {
    const { probes, bff } = await startThreeTiers(started);
    const bffLink = createHttpChildLink({
      id: 'bff',
      url: `${bff.url}/trpc`,
      fetch: fetchAs(bff.session),
    });
    for (const probe of probes)
      await bffLink.client.rules.upsert.mutate({ nodePath: `district-1/${probe.id}`, rule });

    for (const probe of probes) simulators.push(startSimulator(probe.mqttUrl));
    progress(`background load: ${BACKGROUND_DEVICES} devices × ${BACKGROUND_RATE}/s on each probe`);
    await sleep(options.quick ? 3000 : 10_000);

    const publishedAt = new Map<string, number>();
    const latencies: number[] = [];
    let done: (() => void) | undefined;
    const stopWatching = remoteOfClient(bffLink.client).watchAlerts(undefined, {
      onItem: ({ change }) => {
        if (change.kind !== 'fired' || change.alert.deviceId === null) return;
        const sentAt = publishedAt.get(change.alert.deviceId);
        if (sentAt === undefined) return;
        publishedAt.delete(change.alert.deviceId);
        latencies.push(performance.now() - sentAt);
        if (latencies.length === alertCount) done?.();
      },
      onDown: (reason) => progress(`BFF stream down: ${reason}`),
      onUp: () => {},
      onEnd: () => {},
    });
    await sleep(1000);

    const publishers = await Promise.all(
      probes.map((p) => mqtt.connectAsync(p.mqttUrl, { clientId: `bench-alarms-${p.id}` })),
    );
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    progress(`raising ${alertCount} alerts at ${ALERTS_PER_SECOND}/s`);
    for (let i = 0; i < alertCount; i++) {
      const deviceId = `alarm-${i}`;
      const publisher = publishers[i % publishers.length]!;
      publishedAt.set(deviceId, performance.now());
      void publisher.publishAsync(
        `devices/${deviceId}/telemetry`,
        JSON.stringify({ metrics: { bench_temp: 150 } }),
        { qos: 1 },
      );
      await sleep(1000 / ALERTS_PER_SECOND);
    }
    const timedOut = await Promise.race([finished.then(() => false), sleep(30_000).then(() => true)]);
    stopWatching();
    await Promise.all(publishers.map((p) => p.endAsync()));
    if (timedOut) progress(`only ${latencies.length} of ${alertCount} alerts reached the BFF subscriber`);

    const p99 = percentile(latencies, 99);
    return {
      bench: 'alerts',
      n: latencies.length,
      p50_ms: round(percentile(latencies, 50), 1),
      p95_ms: round(percentile(latencies, 95), 1),
      p99_ms: round(p99, 1),
      max_ms: round(Math.max(...latencies), 1),
      missing: alertCount - latencies.length,
      tiers: 3,
      background_msgs_per_s: 2 * BACKGROUND_DEVICES * BACKGROUND_RATE,
      target_p99_ms: TARGET_P99_MS,
      meets_target: p99 < TARGET_P99_MS && latencies.length === alertCount,
    };
  } finally {
    await cleanup();
    removeCleanup();
  }
}

function startSimulator(url: string): SpawnedProcess {
  return spawnProcess({
    name: `simulator ${url}`,
    entry: SIMULATOR_MAIN,
    // Background load only: no excursions, whose offline statuses and alerts would mix with the bench's.
    args: ['--url', url, '--devices', String(BACKGROUND_DEVICES), '--rate', String(BACKGROUND_RATE)].concat([
      '--excursions',
      '0',
      '--log-level',
      'warn',
    ]),
    // Its warnings on stderr: the bench's stdout carries only its JSON line.
    onOutput: (text) => process.stderr.write(text),
  });
}
