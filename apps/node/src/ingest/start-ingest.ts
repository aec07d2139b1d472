import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { TlsCertificates } from '@tierscope/federation';
import type { DeviceAccess } from '../access/device-access.ts';
import type { NodeConfig } from '../env.ts';
import type { IngestStore } from '../store/ingest-store.ts';
import { EmbeddedBroker } from './embedded-broker.ts';
import { createIngestMetrics } from './ingest-metrics.ts';
import { MqttConnection, type MessageIntake } from './mqtt-connection.ts';
import { TelemetryIngest, type TelemetryIngestOptions } from './telemetry-ingest.ts';

export type IngestRuntimeConfig = Pick<
  NodeConfig,
  | 'nodeId'
  | 'dataDir'
  | 'mqttUrl'
  | 'mqttPort'
  | 'mqttUsername'
  | 'mqttPassword'
  | 'deviceAuth'
  | 'rawRetentionDays'
  | 'unknownDevices'
  | 'batchMaxSamples'
  | 'batchMaxAgeMs'
  | 'queueLimit'
> &
  /** MQTTS on the embedded broker; default none, with plain MQTT on. */
  Partial<Pick<NodeConfig, 'mqttsPort' | 'mqttPlaintext'>>;

export interface StartIngestOptions {
  config: IngestRuntimeConfig;
  store: IngestStore;
  logger: Logger;
  /** Device credentials and quarantines, shared with the devices service. */
  access: DeviceAccess;
  /** The node's certificates: the embedded broker's MQTTS port, and the CA an mqtts:// MQTT_URL is dialled with. */
  tls?: TlsCertificates;
  /** The node's metrics registry; the ingest metrics are registered on it. */
  registry?: Registry | undefined;
  journal?: TelemetryIngestOptions['journal'];
  /** The raw retention and unknown-device rule in force (fleet policy over the config). */
  settings?: TelemetryIngestOptions['settings'];
  /** The alert engine's hooks into the batch path. */
  prepareBatch?: TelemetryIngestOptions['prepareBatch'];
  onBatchCommitted?: TelemetryIngestOptions['onBatchCommitted'];
  /** Host the embedded broker binds (default all interfaces). */
  embeddedBrokerHost?: string;
  /** Overrides for tests: a unique client id, a short session expiry. */
  mqttClientId?: string;
  sessionExpirySeconds?: number;
}

export interface IngestRuntime {
  ingest: TelemetryIngest;
  /** The external broker session, or the embedded broker. */
  intake: MqttConnection | EmbeddedBroker;
  /**
   * Shuts down in the only safe order: stop intake (new messages stay unacked at the broker) →
   * commit what was taken (up to drainTimeoutMs; the rest is replayed from the journal next start)
   * → end the broker session or the embedded broker. Resolves whether everything was committed.
   */
  stop(drainTimeoutMs?: number): Promise<boolean>;
}

/**
 * Starts the ingest path: the pipeline first (journal replay from the store's checkpoint), then
 * the broker intake, so replayed messages are ordered before new ones.
 */
export async function startIngest(options: StartIngestOptions): Promise<IngestRuntime> {
  const { config, store, logger, access } = options;
  const metrics = options.registry ? createIngestMetrics(options.registry) : undefined;
  const ingest = await TelemetryIngest.start({
    config,
    store,
    logger: logger.child({ component: 'ingest' }),
    metrics,
    quarantines: access.quarantines,
    settings: options.settings,
    journal: options.journal,
    prepareBatch: options.prepareBatch,
    onBatchCommitted: options.onBatchCommitted,
  });
  const brokerLogger = logger.child({ component: 'mqtt' });
  let intake: MqttConnection | EmbeddedBroker;
  try {
    intake = config.mqttUrl
      ? MqttConnection.start({
          url: config.mqttUrl,
          nodeId: config.nodeId,
          sink: ingest,
          logger: brokerLogger,
          username: config.mqttUsername,
          password: config.mqttPassword,
          ...(options.tls && { tls: () => options.tls?.dial() }),
          ...(options.mqttClientId ? { clientId: options.mqttClientId } : {}),
          ...(options.sessionExpirySeconds ? { sessionExpirySeconds: options.sessionExpirySeconds } : {}),
        })
      : await EmbeddedBroker.start({
          port: config.mqttPlaintext === 'off' ? null : config.mqttPort,
          ...(config.mqttsPort !== undefined &&
            options.tls && { mqtts: { port: config.mqttsPort, tls: options.tls } }),
          ...(options.embeddedBrokerHost ? { host: options.embeddedBrokerHost } : {}),
          sink: ingest,
          logger: brokerLogger,
          username: config.mqttUsername,
          password: config.mqttPassword,
          deviceAuth: config.deviceAuth,
          access,
          refusals: metrics?.brokerRefusals,
        });
  } catch (error) {
    await ingest.stop(0);
    throw error;
  }
  return { ingest, intake, stop: (drainTimeoutMs = 10_000) => stopIngest(intake, ingest, drainTimeoutMs) };
}

async function stopIngest(
  intake: MessageIntake,
  ingest: TelemetryIngest,
  drainTimeoutMs: number,
): Promise<boolean> {
  intake.stopIntake();
  const drained = await ingest.stop(drainTimeoutMs);
  await intake.close();
  return drained;
}
