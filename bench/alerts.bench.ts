// `npm run bench -- alerts [--quick]`: latency from the MQTT publish of a violating sample to the
// alert change reaching a subscriber of the BFF, through three tiers, while the probes ingest
// background telemetry from the device simulator; and to the push reaching the on-call phone.
//
// Topology: probe-a and probe-b (leaf nodes, each on a fresh PostgreSQL database with its embedded
// broker) ← district-1 (a node federating both) ← BFF. A policy published at the BFF holds one
// threshold rule and an escalation telling the bench's user at once; the user's phone is a local
// endpoint standing in for the push service, which decrypts each push as a browser would. Alerts are
// raised on distinct devices, alternating probes, a few in flight at a time; each latency runs from
// just before the QoS 1 publish to the change's arrival over the BFF's SSE stream (`p99_ms`) and to
// the push's arrival at the phone (`notify_p99_ms`).
import mqtt from 'mqtt';
import { createTRPCClient, httpLink } from '@trpc/client';
import { createHttpChildLink, remoteOfClient } from '@tierscope/federation';
import { generateVapidKeys, type AlertPush } from '@tierscope/notify';
import { createTestPushSubscriber } from '@tierscope/notify/testing/push-subscriber.ts';
import { fetchAs } from '@tierscope/test-support/console-session';
import { SIMULATOR_MAIN, spawnProcess, type SpawnedProcess } from '@tierscope/test-support/processes';
import { startTestReceiver } from '@tierscope/test-support/test-receiver';
import { PolicyBundle, type ConsoleApiRouter, type PolicyContent, type Rule } from '@tierscope/shared';
import { onInterrupt, progress, round, type BenchOptions } from './lib/bench.ts';
import { percentile } from './lib/latency.ts';
import { clientOf, sleep, startThreeTiers, waitForPolicy } from './lib/tier-process.ts';

const TARGET_P99_MS = 500;
const TARGET_NOTIFY_P99_MS = 1000;
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

/** The rule on every node, and the BFF's user `admin` told at once of every critical alert. */
const POLICY: PolicyContent = {
  bundles: [
    PolicyBundle.parse({
      name: 'alerts bench',
      target: '**',
      rules: [rule],
      declaredMetrics: ['bench_temp'],
      escalations: [
        {
          id: 'bench-oncall',
          minSeverity: 'critical',
          steps: [{ afterMinutes: 0, notify: [{ user: 'admin' }] }],
          sendResolved: false,
        },
      ],
    }),
  ],
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
    const vapid = generateVapidKeys();
    const phone = createTestPushSubscriber();
    const pushService = await startTestReceiver(() => ({ status: 201 }));
    started.push({ stop: () => pushService.close() });
    const { probes, bff } = await startThreeTiers(started, {
      WEBHOOK_ALLOWLIST: '127.0.0.1',
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
    });
    const bffLink = createHttpChildLink({
      id: 'bff',
      url: `${bff.url}/trpc`,
      fetch: fetchAs(bff.session),
    });
    const consoleApi = createTRPCClient<ConsoleApiRouter>({
      links: [httpLink({ url: `${bff.url}/trpc`, fetch: fetchAs(bff.session) })],
    });
    await consoleApi.console.notifications.subscribePush.mutate({
      endpoint: `${pushService.url}/push/admin-phone`,
      keys: phone.keys,
    });
    const published = await bffLink.client.policy.publish.mutate({
      content: POLICY,
      comment: 'alerts bench',
    });
    for (const probe of probes) await waitForPolicy(clientOf(probe.tier.url), published.version);

    for (const probe of probes) simulators.push(startSimulator(probe.mqttUrl));
    progress(`background load: ${BACKGROUND_DEVICES} devices × ${BACKGROUND_RATE}/s on each probe`);
    await sleep(options.quick ? 3000 : 10_000);

    /** Epoch ms (with sub-ms precision) just before each device's violating sample was published. */
    const publishedAt = new Map<string, number>();
    const deviceOfAlert = new Map<string, string>();
    const latencies: number[] = [];
    let done: (() => void) | undefined;
    const stopWatching = remoteOfClient(bffLink.client).watchAlerts(undefined, {
      onItem: ({ change }) => {
        if (change.kind !== 'fired' || change.alert.deviceId === null) return;
        const sentAt = publishedAt.get(change.alert.deviceId);
        if (sentAt === undefined || deviceOfAlert.has(change.alert.id)) return;
        deviceOfAlert.set(change.alert.id, change.alert.deviceId);
        latencies.push(epochNow() - sentAt);
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
      publishedAt.set(deviceId, epochNow());
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
    const pushes = await pushesReceived(alertCount, () => pushService.requests.length);
    const notify = pushLatencies(
      pushService.requests.slice(0, pushes).map((request) => ({
        push: JSON.parse(phone.decrypt(request.rawBody)) as AlertPush,
        receivedAt: request.answeredAt,
      })),
      (alertId) => publishedAt.get(deviceOfAlert.get(alertId) ?? ''),
    );
    if (notify.latencies.length < alertCount)
      progress(`only ${notify.latencies.length} of ${alertCount} alerts reached the phone`);

    const p99 = percentile(latencies, 99);
    const notifyP99 = percentile(notify.latencies, 99);
    return {
      bench: 'alerts',
      n: latencies.length,
      p50_ms: round(percentile(latencies, 50), 1),
      p95_ms: round(percentile(latencies, 95), 1),
      p99_ms: round(p99, 1),
      max_ms: round(Math.max(...latencies), 1),
      notify_n: notify.latencies.length,
      notify_p50_ms: round(percentile(notify.latencies, 50), 1),
      notify_p95_ms: round(percentile(notify.latencies, 95), 1),
      notify_p99_ms: round(notifyP99, 1),
      // An alert missing at the subscriber or the phone, or a phone told twice, invalidates the run.
      missing: alertCount - latencies.length + (alertCount - notify.latencies.length),
      duplicates: notify.duplicates,
      tiers: 3,
      background_msgs_per_s: 2 * BACKGROUND_DEVICES * BACKGROUND_RATE,
      target_p99_ms: TARGET_P99_MS,
      target_notify_p99_ms: TARGET_NOTIFY_P99_MS,
      meets_target:
        p99 < TARGET_P99_MS &&
        notifyP99 < TARGET_NOTIFY_P99_MS &&
        latencies.length === alertCount &&
        notify.latencies.length === alertCount,
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

/** Wall-clock epoch ms with performance.now()'s precision, comparable with the phone's receipt times. */
const epochNow = (): number => performance.timeOrigin + performance.now();

/** Waits until `expected` pushes came or none came for 10 s; returns how many came. */
async function pushesReceived(expected: number, count: () => number): Promise<number> {
  let last = -1;
  let quietSince = Date.now();
  while (count() < expected && Date.now() - quietSince < 10_000) {
    if (count() !== last) [last, quietSince] = [count(), Date.now()];
    await sleep(200);
  }
  return count();
}

/** Publish → phone latency of each alert's first firing push; a second firing push is a duplicate. */
function pushLatencies(
  received: readonly { push: AlertPush; receivedAt: number }[],
  publishedAtOf: (alertId: string) => number | undefined,
): { latencies: number[]; duplicates: number } {
  const seen = new Set<string>();
  const latencies: number[] = [];
  let duplicates = 0;
  for (const { push, receivedAt } of received) {
    if (push.event !== 'firing') continue;
    if (seen.has(push.alertId)) {
      duplicates++;
      continue;
    }
    seen.add(push.alertId);
    const sentAt = publishedAtOf(push.alertId);
    if (sentAt !== undefined) latencies.push(receivedAt - sentAt);
  }
  return { latencies, duplicates };
}
