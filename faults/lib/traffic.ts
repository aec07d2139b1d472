// The suite's traffic from the root namespace: alert traffic (devices next to the probe whose
// level crosses a threshold back and forth) and a console client querying the BFF all the time.
import mqtt from 'mqtt';
import { createHttpChildLink, remoteOfClient } from '@tierscope/federation';
import type { Rule } from '@tierscope/shared';
import { fetchAs, type ConsoleSession } from '@tierscope/test-support/console-session';
import type { DeviceAlertHistory, StreamedAlert } from './accounting.ts';

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
  /** Counts a request made outside the query loop (e.g. an operator's ack) as failed. */
  countFailed(note: string): void;
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
  const countFailed = (note: string): void => {
    tally.failed++;
    if (tally.failures.length < MAX_FAILURES_KEPT) tally.failures.push(note);
  };
  let stopped = false;
  const loop = (async () => {
    let k = 0;
    while (!stopped) {
      const query = QUERIES[k++ % QUERIES.length]!;
      const started = Date.now();
      const result = await call(query.path, { input: query.input });
      tally.requests++;
      if (!result.ok)
        countFailed(
          `${new Date(started).toISOString().slice(11, 23)} ${query.path}: ${result.kind === 'status' ? `HTTP ${result.status} ${result.body}` : result.message}`,
        );
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
    countFailed: (note) => {
      tally.requests++;
      countFailed(note);
    },
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

export interface AlertWatch {
  /** The fault-suite rule's fired and resolved changes the stream delivered, by alert id. */
  seen(): Map<string, StreamedAlert>;
  stop(): void;
}

/**
 * A console client on the BFF's live alert stream (server-sent events through HAProxy). The link
 * reconnects by itself after a replica or a link goes away and resumes after the last event id
 * it received: every change must arrive once.
 */
export function watchAlerts(
  bffUrl: string,
  session: ConsoleSession,
  log: (line: string) => void,
): AlertWatch {
  const link = createHttpChildLink({ id: 'bff', url: `${bffUrl}/trpc`, fetch: fetchAs(session) });
  const seen = new Map<string, StreamedAlert>();
  let down: string | undefined;
  let lastEventId: string | undefined;
  let stopped = false;
  let close = (): void => undefined;
  const open = (): void => {
    close = remoteOfClient(link.client).watchAlerts(lastEventId, {
      onItem: ({ id, change }) => {
        lastEventId = id;
        if (change.alert.ruleId !== ALERT_RULE.id) return;
        const counts = seen.get(change.alert.id) ?? { fired: 0, resolved: 0 };
        if (change.kind === 'fired') counts.fired++;
        if (change.kind === 'resolved') counts.resolved++;
        seen.set(change.alert.id, counts);
      },
      onDown: (reason) => {
        if (down === undefined) log(`  alert stream down (${reason}); it reconnects by itself`);
        down = reason;
      },
      onUp: () => {
        if (down !== undefined) log('  alert stream up again');
        down = undefined;
      },
      // Ended by the server (e.g. a replica stopping): open it again after the last event seen.
      onEnd: (error) => {
        if (stopped) return;
        log(`  alert stream ended (${error instanceof Error ? error.message : 'completed'}); reopening`);
        setTimeout(() => {
          if (!stopped) open();
        }, 500);
      },
    });
  };
  open();
  return {
    seen: () => new Map([...seen].map(([id, counts]) => [id, { ...counts }])),
    stop: () => {
      stopped = true;
      close();
    },
  };
}
