import {
  CommandPayload,
  ConfigPayload,
  commandAckTopic,
  configReportedTopic,
  eventsTopic,
  statusTopic,
  telemetryTopic,
} from '@tierscope/shared/mqtt';
import { answerTo, temperOf } from './command-answers.ts';
import { applyDelayMs, configReport } from './config-apply.ts';
import type { Logger } from 'pino';
import type { SimulatorOptions } from './args.ts';
import { createConnectionPool, MAX_IN_FLIGHT, type Connection } from './connections.ts';
import {
  bootEvent,
  createDeviceModel,
  startExcursion,
  stepDevice,
  type DeviceModel,
} from './device-model.ts';
import { excursionSchedule } from './excursions.ts';
import { buildFleet } from './fleet.ts';
import { malformedTelemetry } from './invalid-payloads.ts';
import { createRng, hashSeed } from './rng.ts';

export interface SimulatorStats {
  telemetrySent: number;
  eventsSent: number;
  invalidSent: number;
  /** Publishes the broker acknowledged (QoS 1). */
  acked: number;
  failed: number;
  /** Samples not sent because the device's connection was down or too far behind. */
  skipped: number;
  silentDevices: number;
  /** Excursions started so far. */
  excursions: number;
  /** Commands devices received (and answered, unless slow past the stop). */
  commandsReceived: number;
  /** Desired configurations devices applied and reported. */
  configsApplied: number;
}

export interface RunningSimulator {
  stats(): SimulatorStats;
  /** Stops publishing, sends `offline` for every device and disconnects. */
  stop(): Promise<SimulatorStats>;
}

const CONNECT_WAIT_MS = 10_000;
const STATS_EVERY_MS = 10_000;

/**
 * Starts publishing for the fleet. With `logins` (device id → password) each device logs in as
 * itself; a device without one is an error, named before anything connects.
 */
export async function startSimulator(
  options: SimulatorOptions,
  logger: Logger,
  logins?: ReadonlyMap<string, string>,
): Promise<RunningSimulator> {
  const fleet = buildFleet(options.devices, options.sites, options.kinds);
  const withoutLogin = logins ? fleet.filter((device) => !logins.has(device.id)) : [];
  if (withoutLogin.length > 0)
    throw new Error(
      `no login for ${withoutLogin.length} devices, e.g. ${withoutLogin[0]!.id} (--credentials)`,
    );
  const models = new Map<string, DeviceModel>(
    fleet.map((device) => [device.id, createDeviceModel(device, options.seed)]),
  );
  const stats: SimulatorStats = {
    telemetrySent: 0,
    eventsSent: 0,
    invalidSent: 0,
    acked: 0,
    failed: 0,
    skipped: 0,
    silentDevices: 0,
    excursions: 0,
    commandsReceived: 0,
    configsApplied: 0,
  };

  const publish = (connection: Connection, topic: string, payload: string, retain = false): void => {
    connection.inFlight++;
    connection.client.publish(topic, payload, { qos: 1, retain }, (error) => {
      connection.inFlight--;
      if (error) {
        stats.failed++;
        logger.debug({ topic, err: error.message }, 'publish failed');
      } else {
        stats.acked++;
      }
    });
  };

  const pool = createConnectionPool(fleet, {
    url: options.url,
    mode: options.connectionMode,
    sharedConnections: options.sharedConnections,
    ...(logins && { logins }),
    logger,
    onCommand(connection, deviceId, payload) {
      const model = models.get(deviceId);
      const command = CommandPayload.safeParse(jsonOf(payload.toString('utf8')));
      // A device in an outage is away: what reaches its topic meanwhile is lost to it, as to a real one.
      if (!model || model.excursion?.kind === 'outage' || !command.success) return;
      stats.commandsReceived++;
      const { delayMs, ack } = answerTo(command.data, temperOf(deviceId, options.seed), options.seed);
      logger.debug({ device: deviceId, command: command.data.name, ok: ack.ok, delayMs }, 'command');
      setTimeout(() => publish(connection, commandAckTopic(deviceId), JSON.stringify(ack)), delayMs);
    },
    onConfig(connection, deviceId, payload) {
      const model = models.get(deviceId);
      const desired = ConfigPayload.safeParse(jsonOf(payload.toString('utf8')));
      // An empty retained payload clears the topic: nothing to apply.
      if (!model || model.excursion?.kind === 'outage' || !desired.success) return;
      if (options.neverApply.has(deviceId)) {
        logger.debug({ device: deviceId, version: desired.data.version }, 'config ignored (--never-apply)');
        return;
      }
      const report = configReport(desired.data);
      setTimeout(
        () => {
          publish(connection, configReportedTopic(deviceId), JSON.stringify(report));
          stats.configsApplied++;
        },
        applyDelayMs(deviceId, desired.data.version, options.seed),
      );
    },
    onOnline(connection, first) {
      if (!first) return;
      for (const device of connection.devices) {
        publish(connection, eventsTopic(device.id), JSON.stringify(bootEvent(device, Date.now())));
        stats.eventsSent++;
      }
    },
  });
  logger.info(
    {
      url: options.url,
      devices: fleet.length,
      mode: options.connectionMode,
      connections: options.connectionMode === 'per-device' ? fleet.length : options.sharedConnections,
    },
    'connecting',
  );
  const connected = await pool.waitConnected(CONNECT_WAIT_MS);
  logger.info({ connected }, connected === 0 ? 'no connection yet; will keep trying' : 'connected');

  // Spread the devices over one period so a fleet doesn't publish in lockstep.
  const periodMs = 1000 / options.rate;
  const phaseRng = createRng(hashSeed(options.seed, 'phase'));
  const start = Date.now();
  const schedule = fleet.map((device) => ({
    device,
    model: models.get(device.id)!,
    nextDueMs: start + phaseRng.next() * periodMs,
  }));
  let telemetryCount = 0;
  const excursions = excursionSchedule(fleet, options.seed, options.excursionsPerHour);
  let nextExcursion = excursions.next();

  /** Puts every device whose excursion is due on it. */
  const startDueExcursions = (now: number): void => {
    while (!nextExcursion.done && start + nextExcursion.value.startMs <= now) {
      const excursion = nextExcursion.value;
      startExcursion(models.get(excursion.deviceId)!, excursion, now);
      stats.excursions++;
      const { kind, deviceId: device, metric } = excursion;
      logger.info({ device, kind, metric, seconds: excursion.lengthMs / 1000 }, 'excursion');
      nextExcursion = excursions.next();
    }
  };

  const tick = (): void => {
    const now = Date.now();
    startDueExcursions(now);
    let silent = 0;
    for (const entry of schedule) {
      if (entry.model.silence || entry.model.excursion?.kind === 'outage') silent++;
      if (entry.nextDueMs > now) continue;
      // One sample per device per tick at most: a late tick skips, rather than bunching samples up.
      entry.nextDueMs = Math.max(entry.nextDueMs + periodMs, now + periodMs / 2);
      const { device, model } = entry;
      const step = stepDevice(model, now);
      const connection = pool.connectionOf(device.id);
      if (!connection.client.connected || connection.inFlight >= MAX_IN_FLIGHT) {
        if (step.telemetry) stats.skipped++;
        continue;
      }
      if (step.status) publish(connection, statusTopic(device.id), step.status, true);
      if (step.telemetry) {
        telemetryCount++;
        if (options.invalidEvery > 0 && telemetryCount % options.invalidEvery === 0) {
          const bad = malformedTelemetry(stats.invalidSent, now);
          logger.debug({ device: device.id, flaw: bad.flaw }, 'sending malformed telemetry');
          publish(connection, telemetryTopic(device.id), bad.payload);
          stats.invalidSent++;
        } else {
          publish(connection, telemetryTopic(device.id), JSON.stringify(step.telemetry));
          stats.telemetrySent++;
        }
      }
      for (const event of step.events) {
        publish(connection, eventsTopic(device.id), JSON.stringify(event));
        stats.eventsSent++;
        logger.debug({ device: device.id, type: event.type, severity: event.severity }, 'event');
      }
    }
    stats.silentDevices = silent;
  };

  const tickMs = Math.max(10, Math.min(100, periodMs / 2));
  const ticker = setInterval(tick, tickMs);
  const reporter = setInterval(() => logger.info({ ...stats }, 'stats'), STATS_EVERY_MS);

  let stopping: Promise<SimulatorStats> | undefined;
  return {
    stats: () => ({ ...stats }),
    stop() {
      stopping ??= (async () => {
        clearInterval(ticker);
        clearInterval(reporter);
        await pool.close();
        return { ...stats };
      })();
      return stopping;
    },
  };
}

function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
