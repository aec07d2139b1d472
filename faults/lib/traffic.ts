// The suite's traffic from the root namespace: alert traffic (devices next to the probe whose
// level crosses a threshold back and forth) and a console client querying the BFF all the time.
import mqtt from 'mqtt';
import type { Rule } from '@tierscope/shared';
import type { ConsoleSession } from '@tierscope/test-support/console-session';
import type { DeviceAlertHistory } from './accounting.ts';

export const ALERT_RULE: Rule = {
  id: 'faults-level',
  name: 'Fault suite: level above 100',
  severity: 'warning',
  enabled: true,
  scope: { devicePattern: 'fault-alarm-*', labels: {} },
  condition: { kind: 'threshold', metric: 'fault_level', operator: '>', value: 100, hysteresis: 0, forMs: 0 },
};
/** A device that fires once and stays firing: the operator acks its alert. */
export const STICKY_DEVICE = 'fault-alarm-sticky';
const ALERT_DEVICES = Array.from({ length: 8 }, (_, i) => `fault-alarm-${i + 1}`);
/** Each device sends its current level this often (round robin), like a real device does. */
const SEND_EVERY_MS = 250;
/**
 * A device changes side after this long: longer than the rule's 5 s clear delay, so every episode
 * resolves before the next one starts (no flapping).
 */
const TOGGLE_AFTER_MS = 12_000;

export interface AlertTraffic {
  /** What the broker acked, per device. */
  history(): Map<string, DeviceAlertHistory>;
  /** Stops changing sides (devices keep sending their level) until `resume`. */
  hold(): void;
  resume(): void;
  stop(): Promise<void>;
}

/** Connects to the probe's broker and starts sending; the sticky device fires first. */
export async function startAlertTraffic(mqttUrl: string): Promise<AlertTraffic> {
  const client = await mqtt.connectAsync(mqttUrl, {
    clientId: `faults-alarms-${process.pid}`,
    clean: true,
    reconnectPeriod: 500,
    connectTimeout: 5000,
  });
  client.on('error', () => undefined);
  const history = new Map<string, DeviceAlertHistory>();
  const level = new Map<string, { violating: boolean; since: number }>();
  const send = async (deviceId: string, violating: boolean): Promise<void> => {
    await client.publishAsync(
      `devices/${deviceId}/telemetry`,
      JSON.stringify({ ts: Date.now(), metrics: { fault_level: violating ? 150 : 50 } }),
      { qos: 1 },
    );
    const past = history.get(deviceId) ?? { fired: 0, cleared: true };
    if (violating && past.cleared) history.set(deviceId, { fired: past.fired + 1, cleared: false });
    if (!violating && !past.cleared) history.set(deviceId, { fired: past.fired, cleared: true });
  };
  await send(STICKY_DEVICE, true);
  // Staggered, so about one device changes side per second.
  ALERT_DEVICES.forEach((id, i) =>
    level.set(id, { violating: false, since: Date.now() - TOGGLE_AFTER_MS + i * 1500 }),
  );
  let held = false;
  let stopped = false;
  const loop = (async () => {
    let k = 0;
    while (!stopped) {
      const deviceId = ALERT_DEVICES[k++ % ALERT_DEVICES.length]!;
      const current = level.get(deviceId)!;
      if (!held && Date.now() - current.since >= TOGGLE_AFTER_MS)
        level.set(deviceId, { violating: !current.violating, since: Date.now() });
      // Awaited: while the broker is away, the devices wait with their level, as real ones queue.
      await send(deviceId, level.get(deviceId)!.violating).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, SEND_EVERY_MS / ALERT_DEVICES.length));
    }
  })();
  return {
    history: () => new Map(history),
    hold: () => {
      held = true;
    },
    resume: () => {
      held = false;
    },
    stop: async () => {
      stopped = true;
      await Promise.race([loop, new Promise((resolve) => setTimeout(resolve, 5000))]);
      await client.endAsync(true);
    },
  };
}

export interface RequestTally {
  requests: number;
  failed: number;
  /** The first few failures, for the progress line. */
  failures: string[];
}

export interface ConsoleClient {
  /** What happened since the last `take`. */
  take(): RequestTally;
  /** One call through the BFF as this console user, with the client's deadline. */
  call(path: string, init?: { input?: unknown; mutation?: boolean }): Promise<CallResult>;
  stop(): Promise<void>;
}

export type CallResult =
  | { ok: true; data: unknown }
  /** Answered with an error (`status`), or not at all (`hang`, `network`). */
  | { ok: false; kind: 'status'; status: number; body: string }
  | { ok: false; kind: 'hang' | 'network'; message: string };

const QUERIES: readonly { path: string; input?: unknown }[] = [
  { path: 'node.info' },
  { path: 'alerts.list', input: { limit: 50 } },
  { path: 'devices.list', input: { limit: 100 } },
];
const MAX_FAILURES_KEPT = 5;

/**
 * A console user querying the BFF back to back. A request fails when it answers 5xx (or any
 * error), fails on the network, or takes longer than `deadlineMs`; a partial answer (coverage
 * naming the node it could not reach) is a success.
 */
export function startConsoleClient(
  bffUrl: string,
  session: ConsoleSession,
  deadlineMs: number,
): ConsoleClient {
  let tally: RequestTally = { requests: 0, failed: 0, failures: [] };
  const call = async (
    path: string,
    init: { input?: unknown; mutation?: boolean } = {},
  ): Promise<CallResult> => {
    const query =
      !init.mutation && init.input !== undefined
        ? `?input=${encodeURIComponent(JSON.stringify(init.input))}`
        : '';
    try {
      const response = await fetch(`${bffUrl}/trpc/${path}${query}`, {
        method: init.mutation ? 'POST' : 'GET',
        headers: { ...session.headers, 'content-type': 'application/json' },
        ...(init.mutation && { body: JSON.stringify(init.input ?? {}) }),
        signal: AbortSignal.timeout(deadlineMs),
      });
      const body = await response.text();
      if (!response.ok)
        return { ok: false, kind: 'status', status: response.status, body: body.slice(0, 300) };
      return { ok: true, data: (JSON.parse(body) as { result: { data: unknown } }).result.data };
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      const cause =
        error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      return timedOut
        ? { ok: false, kind: 'hang', message: `no answer within ${deadlineMs} ms` }
        : { ok: false, kind: 'network', message: cause };
    }
  };
  let stopped = false;
  const loop = (async () => {
    let k = 0;
    while (!stopped) {
      const query = QUERIES[k++ % QUERIES.length]!;
      const started = Date.now();
      const result = await call(query.path, { input: query.input });
      tally.requests++;
      if (!result.ok) {
        tally.failed++;
        if (tally.failures.length < MAX_FAILURES_KEPT)
          tally.failures.push(
            `${new Date(started).toISOString().slice(11, 23)} ${query.path}: ${result.kind === 'status' ? `HTTP ${result.status} ${result.body}` : result.message}`,
          );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    take: () => {
      const taken = tally;
      tally = { requests: 0, failed: 0, failures: [] };
      return taken;
    },
    call,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
