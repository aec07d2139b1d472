// `npm run bench -- commands [--quick]`: a command's round trip through three tiers, from the
// BFF's `devices.command` call to its outcome reaching a subscriber of the BFF; and how many
// devices one bulk command through the BFF (`devices.commandMany`) settles per second.
//
// Topology: probe-a and probe-b (leaf nodes, each on a fresh PostgreSQL database with its embedded
// broker) ← district-1 ← BFF. The commands are declared by a policy published at the BFF. Each
// probe's devices are answered by one MQTT client on its broker (test-support/command-responder.ts).
// A round trip runs from just before the mutation to the `succeeded` change arriving over the
// BFF's SSE stream of that device's commands (devices.watchCommands), a few in flight at a time.
import { setMaxListeners } from 'node:events';
import { createHttpChildLink, remoteOfClient } from '@tierscope/federation';
import { fetchAs } from '@tierscope/test-support/console-session';
import type { Command, CommandJob, PolicyContent } from '@tierscope/shared';
import { onInterrupt, progress, round, type BenchOptions } from './lib/bench.ts';
import { startCommandResponder, type CommandResponder } from '@tierscope/test-support/command-responder';
import { percentile } from './lib/latency.ts';
import { clientOf, startThreeTiers, waitForPolicy } from './lib/tier-process.ts';

const TARGET_P99_MS = 500;
/** Devices per probe that the burst commands at once. */
const DEVICES_PER_PROBE = 100;
/**
 * Round trips in flight at once, each on its own device with its own live stream: a stream holds
 * one of the BFF's connections to the district for as long as it is open.
 */
const IN_FLIGHT = 4;
/** A command without its outcome at the BFF by then counts as lost. */
const OUTCOME_TIMEOUT_MS = 15_000;
const KIND = 'bench-device';
/** The bulk command's publishing rate at each probe. */
const BULK_RATE_PER_S = 1000;
/** How often the bulk command's job is read back. */
const JOB_POLL_MS = 100;
/** Device registrations in flight at once. */
const REGISTER_AT_ONCE = 10;

const POLICY: PolicyContent = {
  bundles: [
    {
      name: 'bench-commands',
      target: '**',
      rules: [],
      silences: [],
      routes: [],
      retention: {},
      declaredMetrics: [],
      commands: {
        [KIND]: {
          ping: {
            description: 'Answers at once.',
            params: {
              type: 'object',
              properties: { n: { type: 'integer', minimum: 0 } },
              required: ['n'],
              additionalProperties: false,
            },
          },
        },
      },
    },
  ],
};

interface BenchDevice {
  nodePath: string;
  deviceId: string;
}

/** Outcomes as the BFF's streams report them, by command id, and who waits for which. */
class Outcomes {
  readonly #seen = new Map<string, { state: Command['state']; at: number }>();
  readonly #waiting = new Map<string, (outcome: { state: Command['state']; at: number }) => void>();

  seen(command: Command): void {
    if (command.state === 'queued' || command.state === 'sent') return;
    const outcome = { state: command.state, at: performance.now() };
    const waiter = this.#waiting.get(command.id);
    if (waiter) {
      this.#waiting.delete(command.id);
      waiter(outcome);
    } else this.#seen.set(command.id, outcome);
  }

  /** The command's outcome, or undefined if none came within OUTCOME_TIMEOUT_MS. */
  of(id: string): Promise<{ state: Command['state']; at: number } | undefined> {
    const already = this.#seen.get(id);
    if (already) {
      this.#seen.delete(id);
      return Promise.resolve(already);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        resolve(undefined);
      }, OUTCOME_TIMEOUT_MS);
      this.#waiting.set(id, (outcome) => {
        clearTimeout(timer);
        resolve(outcome);
      });
    });
  }
}

export async function runBench(options: BenchOptions): Promise<Record<string, unknown>> {
  const roundTrips = options.quick ? 300 : 1000;
  const started: Array<{ stop(): Promise<unknown> }> = [];
  const responders: CommandResponder[] = [];
  const streams = new AbortController();
  setMaxListeners(IN_FLIGHT * 4, streams.signal);
  const cleanup = async () => {
    streams.abort();
    await Promise.all(responders.map((responder) => responder.stop()));
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
  };
  const removeCleanup = onInterrupt(cleanup);
  try {
    const { probes, bff } = await startThreeTiers(started);
    const bffLink = createHttpChildLink({ id: 'bff', url: `${bff.url}/trpc`, fetch: fetchAs(bff.session) });
    const api = bffLink.client;

    const published = await api.policy.publish.mutate({ content: POLICY, comment: 'commands bench' });
    for (const probe of probes) await waitForPolicy(clientOf(probe.tier.url), published.version);
    progress(`policy v${published.version} with the bench's commands runs on both probes`);

    const devices: BenchDevice[] = [];
    for (const probe of probes) {
      responders.push(await startCommandResponder(probe.mqttUrl, `bench-devices-${probe.id}`));
      const ofProbe = Array.from({ length: DEVICES_PER_PROBE }, (_, d) => ({
        nodePath: `district-1/${probe.id}`,
        deviceId: `${probe.id}-dev-${d}`,
      }));
      // Registered at the probe itself: setting up is not what is measured.
      const probeApi = clientOf(probe.tier.url);
      for (let i = 0; i < ofProbe.length; i += REGISTER_AT_ONCE)
        await Promise.all(
          ofProbe
            .slice(i, i + REGISTER_AT_ONCE)
            .map(({ deviceId }) => probeApi.devices.upsert.mutate({ deviceId, kind: KIND })),
        );
      devices.push(...ofProbe);
    }

    // One live stream per round-trip device, through every tier, opened before any command is sent.
    const outcomes = new Outcomes();
    const remote = remoteOfClient(api);
    // Lanes alternate between the probes.
    const watched = Array.from(
      { length: IN_FLIGHT },
      (_, lane) => devices[(lane % 2) * DEVICES_PER_PROBE + Math.floor(lane / 2)]!,
    );
    for (const device of watched)
      void (async () => {
        try {
          for await (const item of remote.watchCommands(device, { signal: streams.signal }))
            outcomes.seen(item.command);
        } catch (error) {
          if (!streams.signal.aborted) progress(`stream of ${device.deviceId} ended: ${String(error)}`);
        }
      })();
    await new Promise((resolve) => setTimeout(resolve, 1000));

    let lost = 0;
    let unanswered = 0;
    const roundTrip = async (device: BenchDevice, n: number): Promise<number | undefined> => {
      const startedAt = performance.now();
      const command = await api.devices.command
        .mutate({ ...device, name: 'ping', params: { n } })
        .catch((error: unknown) => {
          progress(`command ${n} to ${device.deviceId} failed: ${String(error)}`);
          return undefined;
        });
      if (command === undefined) {
        lost++;
        return undefined;
      }
      const outcome = await outcomes.of(command.id);
      if (outcome === undefined) lost++;
      else if (outcome.state !== 'succeeded') unanswered++;
      return outcome?.state === 'succeeded' ? outcome.at - startedAt : undefined;
    };

    progress(`${roundTrips} round trips, ${IN_FLIGHT} in flight`);
    const latencies: number[] = [];
    let next = 0;
    await Promise.all(
      watched.map(async (device) => {
        while (next < roundTrips) {
          const ms = await roundTrip(device, next++);
          if (ms !== undefined) latencies.push(ms);
        }
      }),
    );
    streams.abort();
    progress(
      `round trips: p50 ${round(percentile(latencies, 50), 1)} ms, p99 ${round(percentile(latencies, 99), 1)} ms`,
    );

    // A bulk command: one call at the BFF to every device of the bench's kind, fanned out to the
    // owning probes; its job is read back through the BFF until every outcome is in.
    progress(`bulk: one command to each of ${devices.length} devices (devices.commandMany)`);
    const burstStarted = performance.now();
    const job = await api.devices.commandMany
      .mutate({ selector: { kind: KIND }, name: 'ping', params: { n: 0 }, ratePerSecond: BULK_RATE_PER_S })
      .catch((error: unknown) => {
        progress(`bulk command failed: ${String(error)}`);
        return undefined;
      });
    let settled = job;
    const isOpen = (counts: CommandJob['counts']) => counts.byState.queued + counts.byState.sent > 0;
    while (settled && isOpen(settled.counts) && performance.now() - burstStarted < OUTCOME_TIMEOUT_MS) {
      await new Promise((resolve) => setTimeout(resolve, JOB_POLL_MS));
      // A read that fails is tried again at the next poll.
      settled =
        (await api.devices.commandJob.query({ jobId: settled.jobId }).catch(() => undefined)) ?? settled;
    }
    const burstSeconds = (performance.now() - burstStarted) / 1000;
    const counts = settled?.counts;
    // Devices without a command (a probe that did not answer: named `unreachable` from its parent's
    // roster, or not in the job), or whose command never settled.
    const withoutOutcome =
      devices.length -
      (counts?.total ?? 0) +
      (counts ? counts.byState.queued + counts.byState.sent + counts.byState.unreachable : 0);
    lost += withoutOutcome;
    if (counts) unanswered += counts.byState.failed + counts.byState.timed_out + counts.byState.expired;
    progress(
      `bulk: ${counts?.byState.succeeded ?? 0} of ${devices.length} devices succeeded in ${round(burstSeconds, 2)} s, ${withoutOutcome} without an outcome`,
    );

    const p99 = percentile(latencies, 99);
    const answered = responders.reduce((sum, responder) => sum + responder.answered, 0);
    return {
      n: latencies.length,
      p50_ms: round(percentile(latencies, 50), 1),
      p95_ms: round(percentile(latencies, 95), 1),
      p99_ms: round(p99, 1),
      max_ms: round(Math.max(...latencies), 1),
      bulk_devices_per_s: round(devices.length / burstSeconds, 1),
      tiers: 3,
      devices: devices.length,
      answered_by_devices: answered,
      missing: lost + unanswered + responders.reduce((sum, responder) => sum + responder.unreadable, 0),
      target_p99_ms: TARGET_P99_MS,
      target_met: lost + unanswered === 0 && p99 <= TARGET_P99_MS,
    };
  } finally {
    removeCleanup();
    await cleanup();
  }
}
