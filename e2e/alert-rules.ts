// Alert rules that make a simulated deployment raise alerts, installed through the BFF at each
// probe (rules.upsert), and a device publishing a violating sample over MQTT. Used by the e2e global
// setup and by bench/web.bench.ts.
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';
import type { Rule } from '@tierscope/shared';
import type { ApiClient } from './api-client.ts';

/**
 * The metric a test publishes; above 100 it raises `e2e-level` on the pumps of site 2. They are
 * simulated devices (the fleet's device count stays as the tests expect) whose simulator never
 * sends this metric, so the alert stays firing until a test sends a value back under 100.
 */
export const PUBLISHED_METRIC = 'e2e_level';
const PUBLISHED_DEVICES = 'sim-s02-pump-*';
/** How long one rule upsert may take before it is abandoned and tried again. */
const UPSERT_TIMEOUT_MS = 10_000;

/** The `n`th device (from 1) a test may publish `PUBLISHED_METRIC` as; each probe has several. */
export function publishingDevice(n: number): string {
  return PUBLISHED_DEVICES.replace('*', String(n));
}

/**
 * Rules the simulator's devices cross all the time (their metrics never come near the thresholds'
 * other side, and the hysteresis keeps them from resolving), so each probe holds a known set of
 * firing alerts: one critical, two warnings, one info; plus the rule that published samples raise.
 */
export const DEMO_RULES: readonly Rule[] = [
  {
    id: 'motor-overheat',
    name: 'Pump motor above 45 °C',
    severity: 'critical',
    enabled: true,
    scope: { devicePattern: 'sim-s01-pump-1', labels: {} },
    condition: {
      kind: 'threshold',
      metric: 'motor_temp_c',
      operator: '>',
      value: 45,
      hysteresis: 10,
      forMs: 0,
    },
  },
  {
    id: 'humidity-high',
    name: 'Humidity above 30 %',
    severity: 'warning',
    enabled: true,
    scope: { devicePattern: 'sim-s0?-thermostat-1', labels: {} },
    condition: {
      kind: 'threshold',
      metric: 'humidity_pct',
      operator: '>',
      value: 30,
      hysteresis: 10,
      forMs: 0,
    },
  },
  {
    id: 'voc-elevated',
    name: 'VOC above 50 ppb',
    severity: 'info',
    enabled: true,
    scope: { devicePattern: 'sim-s02-air-quality-1', labels: {} },
    condition: { kind: 'threshold', metric: 'voc_ppb', operator: '>', value: 50, hysteresis: 40, forMs: 0 },
  },
  {
    id: 'e2e-level',
    name: 'Level above 100',
    severity: 'critical',
    enabled: true,
    scope: { devicePattern: PUBLISHED_DEVICES, labels: {} },
    condition: {
      kind: 'threshold',
      metric: PUBLISHED_METRIC,
      operator: '>',
      value: 100,
      hysteresis: 0,
      forMs: 0,
    },
  },
];

/** The firing alerts DEMO_RULES raise on each probe once every simulated device has reported. */
export const FIRING_PER_PROBE = { critical: 1, warning: 2, info: 1 } as const;

/**
 * Stores every rule at every probe through the BFF. A probe attached by uplink may not have
 * (re)attached yet when the tree first looks complete: each upsert is retried until it lands.
 */
export async function installRules(
  api: ApiClient,
  probePaths: readonly string[],
  rules: readonly Rule[] = DEMO_RULES,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const nodePath of probePaths)
    for (const rule of rules)
      for (;;) {
        try {
          // A hung call is abandoned and retried (an upsert may be repeated), not waited for.
          await api.rules.upsert.mutate(
            { nodePath, rule },
            { signal: AbortSignal.timeout(UPSERT_TIMEOUT_MS) },
          );
          break;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          await sleep(500);
        }
      }
}

/** A device-side MQTT connection to one probe's broker, kept open across publishes. */
export interface DevicePublisher {
  /**
   * Publishes one telemetry message as `deviceId`, the way a real device would (QoS 1: resolved
   * once the broker has it); `level` above 100 violates `e2e-level`.
   */
  publishLevel(deviceId: string, level: number): Promise<void>;
  close(): Promise<void>;
}

/** Its own client id, so the simulator's connections for the same devices stay up. */
export async function connectPublisher(mqttUrl: string): Promise<DevicePublisher> {
  const client = await mqtt.connectAsync(mqttUrl, {
    clientId: `e2e-publisher-${process.pid}-${Date.now()}`,
    reconnectPeriod: 0,
  });
  return {
    publishLevel: async (deviceId, level) => {
      await client.publishAsync(
        `devices/${deviceId}/telemetry`,
        JSON.stringify({ ts: Date.now(), metrics: { [PUBLISHED_METRIC]: level } }),
        { qos: 1 },
      );
    },
    close: () => client.endAsync(),
  };
}

/** One publish on its own connection. */
export async function publishLevel(mqttUrl: string, deviceId: string, level: number): Promise<void> {
  const publisher = await connectPublisher(mqttUrl);
  try {
    await publisher.publishLevel(deviceId, level);
  } finally {
    await publisher.close();
  }
}
