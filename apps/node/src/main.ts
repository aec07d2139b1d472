// Composition root only: env → store → migrate → ingest → service (→ federation) → server (→ uplink).
import { createRequire } from 'node:module';
import { pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import {
  federationFromConfig,
  outOfScopeService,
  startUplink,
  presentsParentToken,
  ACTING_USER_HEADER,
  nodeCallContext,
  readActingUserHeader,
  sqlUnreachableAlertStore,
  TlsCertificates,
  type Uplink,
} from '@tierscope/federation';
import { storeReadiness } from '@tierscope/store';
import {
  inScope,
  nodeRouter,
  type Actor,
  type IngestStats,
  type NodeService,
  type Webhook,
} from '@tierscope/shared';
import { loadNodeConfig, type NodeConfig } from './env.ts';
import { httpCallerActor, uplinkParentActor } from './http/actors.ts';
import { createNodeServer } from './http/server.ts';
import { AlertingRuntime } from './alerting/alerting-runtime.ts';
import { BACKLOG_STALLED_RULE, BacklogAlerts } from './alerting/backlog-alerts.ts';
import { createBacklogMetrics } from './backlogs/backlog-metrics.ts';
import { BacklogMonitor } from './backlogs/backlog-monitor.ts';
import { ParentLinks, type KnownParent } from './backlogs/parent-links.ts';
import {
  asAlertNotifications,
  createTierNotifier,
  notificationHook,
  type DeliveryWorker,
  type OutboxStore,
} from '@tierscope/notify';
import { loadDeviceAccess } from './access/device-access.ts';
import { CommandCenter } from './commands/command-center.ts';
import { CommandCheck } from './commands/command-check.ts';
import { createCommandMetrics } from './commands/command-metrics.ts';
import { DeviceConfigs } from './device-config/device-configs.ts';
import { warnWithoutNodeFlags } from './ingest/node-flags.ts';
import { startIngest, type IngestRuntime } from './ingest/start-ingest.ts';
import { PolicyAgent } from './policy/policy-agent.ts';
import { createLocalNodeService } from './services/local-node.service.ts';
import { openNodeStore } from './store/client.ts';
import { AlertStore } from './store/alert-store.pg.ts';
import { createPgIngestStore } from './store/ingest-store.pg.ts';
import { loadDeviceFacts } from './store/device-facts.ts';
import { MIGRATIONS_FOLDER, migrateStore } from './store/migrate.ts';
import { scheduleRetention } from './store/retention.ts';
import { readingOf, scheduleNodeHistory } from './history/node-history.ts';
import { createHourSketcherMetrics, scheduleHourSketcher } from './fleet-metrics/hour-sketcher.ts';

const STOP_TIMEOUT_MS = 10_000;
const BACKLOG_READ_INTERVAL_MS = 1000;
const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

async function main(config: NodeConfig): Promise<void> {
  const logger = pino({ level: config.logLevel, base: { node: config.nodeId } });
  warnWithoutNodeFlags(logger);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const startedAt = Date.now();
  const tls = new TlsCertificates({ settings: config, registry, logger: logger.child({ component: 'tls' }) });
  tls.watch();
  process.on('SIGHUP', () => tls.reload('SIGHUP'));

  const store = await openNodeStore(config.databaseUrl);
  await migrateStore(store);
  logger.info({ driver: store.driver }, 'store ready');

  // Fleet policy: the agent takes what a parent hands it (policy.receive); the federation passes it
  // on to the node's own children. Its stored policy is in force before alerting loads and the
  // ingest starts; everything derived from policy reads it through the getters below.
  const policyAgent: PolicyAgent = new PolicyAgent({
    store,
    nodeId: config.nodeId,
    webhookAllowlist: config.webhookAllowlist,
    defaults: {
      webhooks: config.webhooks,
      rawRetentionDays: config.rawRetentionDays,
      unknownDevices: config.unknownDevices,
    },
    logger: logger.child({ component: 'policy' }),
    // Called only for an activation after start, when `alerting` and `retention` are long
    // constructed; retention runs in the background, so the parent's call does not wait for it.
    activate: async (): Promise<void> => {
      await alerting.reloadRules();
      void retention.run();
    },
  });
  await policyAgent.load();
  const settings = () => policyAgent.settings();
  const routes = () => settings().routes;

  const retention = await scheduleRetention(
    store,
    () => ({
      rawRetentionDays: settings().rawRetentionDays,
      rollupDays: settings().rollupDays,
      deadLetterLimit: config.deadLetterLimit,
    }),
    logger,
  );

  const tierNotifier = await createTierNotifier({
    database: store,
    routes,
    escalations: () => policyAgent.effective().escalations,
    config,
    registry,
    logger: logger.child({ component: 'notifier' }),
  });
  const { outbox, escalations } = tierNotifier;
  const alertStore = new AlertStore(store, config.nodeId);
  const alerting: AlertingRuntime = new AlertingRuntime({
    store: alertStore,
    nodePath: config.nodeId,
    logger: logger.child({ component: 'alerting' }),
    policy: () => policyAgent.effective(),
    // Notifications are written with the alert change that causes them, then sent from the outbox.
    inTransaction: notificationHook({ outbox, webhooks: routes, links: tierNotifier.links, escalations }),
    afterCommit: () => {
      tierNotifier.worker.wake();
      escalations.wake();
    },
  });
  await alerting.load(await loadDeviceFacts(store));
  const deviceAccess = await loadDeviceAccess(store);
  // Commands go out through the broker intake, which starts after them: read when publishing.
  const commands: CommandCenter = new CommandCenter({
    store,
    nodePath: config.nodeId,
    check: new CommandCheck(() => policyAgent.effective().commands ?? {}),
    publisher: () => ingest.intake,
    logger: logger.child({ component: 'commands' }),
    metrics: createCommandMetrics(registry),
  });
  const configs = new DeviceConfigs({
    store,
    nodePath: config.nodeId,
    graceMs: config.configGraceMs,
    publisher: () => ingest.intake,
    logger: logger.child({ component: 'device-config' }),
  });

  const ingest = await startIngest({
    config,
    store: createPgIngestStore(store, { writeAlertTransitions: alerting.writeInTransaction }),
    logger,
    access: deviceAccess,
    tls,
    settings,
    registry,
    prepareBatch: alerting.prepareBatch,
    onBatchCommitted: (batch, result) => {
      alerting.published(result.alertChanges);
      commands.committed(batch, result);
    },
  });
  await commands.start();
  await configs.start();
  alerting.start();
  tierNotifier.start();
  const parentLinks = new ParentLinks({
    parents: knownParents(config),
    awayAfterMs: config.parentAwayAfterMs,
    changes: alertStore,
  });
  await parentLinks.load();
  alerting.onChanges((changes) => parentLinks.changed(Math.max(...changes.map((change) => change.seq))));
  const backlogs = await startBacklogMonitor(config, {
    routes,
    ingest,
    notifier: tierNotifier.worker,
    outbox,
    parentLinks,
    alerting,
    alertStore,
    registry,
    logger,
  });
  const brokerUrl =
    config.mqttUrl ??
    (config.mqttsPort === undefined
      ? `mqtt://${config.httpHost}:${config.mqttPort}`
      : `mqtts://${config.httpHost}:${config.mqttsPort}`);

  const ownNotifications = async (alertId: string) =>
    asAlertNotifications(await outbox.forAlert(alertId), config.nodeId);
  const local = createLocalNodeService({
    store,
    alertStore,
    alerting,
    notifications: ownNotifications,
    policyAgent,
    nodeId: config.nodeId,
    nodeName: config.nodeName,
    nodePath: config.nodeId,
    version,
    startedAt,
    rawRetentionDays: () => settings().rawRetentionDays,
    ingestStats: () => ingestStats(ingest),
    backlogs: () => backlogs.current(),
    brokerHealth: () => ({ connected: ingest.intake.connected, embedded: !config.mqttUrl, url: brokerUrl }),
    onDeviceRegistered: (device) => {
      ingest.ingest.addKnownDevices([device.id]);
      alerting.deviceChanged(device.id, device.labels);
    },
    deviceAccess,
    commands,
    configs,
  });

  const nodeHistory = scheduleNodeHistory({
    store,
    intervalMs: config.nodeHistoryIntervalMs,
    read: () => local.node.info().then(readingOf),
    onError: (error) => logger.warn({ err: error }, 'node history: a reading was not recorded'),
  });

  const hourSketcher = scheduleHourSketcher({
    store,
    intervalMs: config.sketchIntervalMs,
    rawRetentionDays: () => settings().rawRetentionDays,
    metrics: createHourSketcherMetrics(registry),
    logger: logger.child({ component: 'hour-sketcher' }),
  });
  // An operator (or a test) asks for a pass now, e.g. after a device backfilled old hours.
  process.on('SIGUSR2', () => void hourSketcher.run());

  // With children (dialled or by uplink) the node federates them next to its own devices: its own
  // path is its id, a child's is `id/child`.
  const { runtime: federation, uplink: uplinkServer } = await federationFromConfig({
    config,
    isRoot: false,
    self: local,
    notifications: ownNotifications,
    exec: (text, params) => store.exec(text, params),
    // Durable, so a restart neither loses nor repeats a notification of them.
    unreachableAlertsInDatabase: true,
    // The node passes on what its parent handed it, and runs the policy it authors itself.
    policy: {
      inherited: () => policyAgent.desiredDocuments(),
      onAuthored: (document) => policyAgent.setAuthored(document, POLICY_AUTHOR_ACTOR),
    },
    tls,
    logger,
  });
  policyAgent.onDesired(() => federation?.policy?.inheritedChanged());
  // A scoped user calling this node directly sees it only if it lies in their scope.
  const serviceFor = (budgetMs: number | undefined, actor?: Actor) =>
    federation?.service(budgetMs, actor) ??
    (inScope(actor?.scope, config.nodeId) ? local : outOfScopeService(config.nodeId));
  const server = await createNodeServer({
    serviceFor,
    logger,
    metrics: registry,
    resolveActor: (request) => httpCallerActor(request.headers),
    ...(config.parentTokenHashes.length > 0 && {
      authorizeCall: (headers) => {
        const parent = presentsParentToken(headers, config.parentTokenHashes);
        if (parent) parentLinks.heard(DIALLING_PARENT.key);
        return parent;
      },
    }),
    uplink: uplinkServer,
    tls,
    readiness: [
      ...storeReadiness(store, MIGRATIONS_FOLDER),
      { name: 'broker', check: async () => ({ ok: ingest.intake.connected }) },
    ],
  });
  await server.listen({ host: config.httpHost, port: config.httpPort });
  // A federating node notifies the children it loses through its own routes, like its alerts.
  const unreachableFeed =
    federation &&
    tierNotifier.feed(
      'node-unreachable',
      sqlUnreachableAlertStore((text, params) => store.exec(text, params)),
    );
  await unreachableFeed?.init();
  unreachableFeed?.start();
  federation?.start();
  const uplinks = uplinksOf(config, serviceFor, logger, tls, () => parentLinks.heard(UPLINK_PARENT_KEY));
  logger.info(
    {
      http: `${tls.serving ? 'https' : 'http'}://${config.httpHost}:${config.httpPort}`,
      mqtt: brokerUrl,
      children: config.children.map((c) => `${c.id}=${c.url}`),
      uplinkChildren: config.uplinkChildren.map((c) => c.id),
      ...(config.parentUplinkUrls.length > 0 && { parentUplinks: config.parentUplinkUrls }),
    },
    'node ready',
  );
  warnOpenAccess(config, logger);
  logTls(config, tls, logger);

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: intake off, flushing batches, closing the session');
    // Whatever hangs, the process ends: what was acked but not committed is in the journal.
    setTimeout(() => {
      logger.error({ afterMs: STOP_TIMEOUT_MS }, 'stop did not finish; exiting anyway');
      process.exit(1);
    }, STOP_TIMEOUT_MS).unref();
    retention.stop();
    nodeHistory.stop();
    hourSketcher.stop();
    backlogs.stop();
    commands.stop();
    configs.stop();
    alerting.stop();
    await Promise.all(uplinks.map((uplink) => uplink.stop()));
    federation?.stop();
    await unreachableFeed?.stop();
    const drained = await ingest.stop();
    await tierNotifier.stop();
    await server.close();
    tls.close();
    await store.close();
    logger.info({ drained }, 'stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

/**
 * With parent uplinks configured, the node dials each (one per replica of its parent) and serves
 * the parent's calls down every socket; each uplink redials by itself.
 */
function uplinksOf(
  config: NodeConfig,
  serviceFor: (budgetMs: number | undefined, actor?: Actor) => NodeService,
  logger: pino.Logger,
  tls: TlsCertificates,
  onParentCall: () => void,
): Uplink[] {
  const { parentUplinkUrls, nodeToken } = config;
  if (nodeToken === undefined) return [];
  return parentUplinkUrls.map((parentUrl) => {
    const actor = uplinkParentActor(parentUrl);
    return startUplink({
      parentUrl,
      childId: config.nodeId,
      token: nodeToken,
      router: nodeRouter,
      tls: () => tls.dial(),
      // As an HTTP call from a parent would be: as the user it acts for, within its time left.
      contextOf: (headers) => {
        onParentCall();
        return nodeCallContext(
          headers,
          readActingUserHeader(headers[ACTING_USER_HEADER]) ?? actor,
          serviceFor,
        );
      },
      logger,
    });
  });
}

const UPLINK_PARENT_KEY = 'uplink';
/** Who the node's own authored policy is audited as when it activates it (the publish names the user). */
const POLICY_AUTHOR_ACTOR: Actor = { kind: 'system', name: 'policy author', role: 'admin' };
/** Every parent that dials this node presents a parent token; replicas of one parent share it. */
const DIALLING_PARENT: KnownParent = { key: 'dialled', label: 'dialling parent', via: 'dialled' };

/**
 * The parents this node can tell apart: the one whose uplink it dials, and the ones that dial it
 * with a parent token. An open node (no PARENT_TOKEN_HASHES) cannot tell a parent from any caller.
 */
function knownParents(config: NodeConfig): KnownParent[] {
  return [
    // The replicas of the parent this node dials are one entry: a call from any of them counts as heard.
    ...(config.parentUplinkUrls.length === 0
      ? []
      : [
          {
            key: UPLINK_PARENT_KEY,
            label: config.parentUplinkUrls.map((url) => new URL(url).host).join(', '),
            via: 'uplink' as const,
          },
        ]),
    ...(config.parentTokenHashes.length > 0 ? [DIALLING_PARENT] : []),
  ];
}

/** Reads the node's backlogs every second for node.info and /metrics, and raises `backlog-stalled`. */
async function startBacklogMonitor(
  config: NodeConfig,
  parts: {
    /** The webhooks in force (env and policy), read at each reading. */
    routes: () => readonly Webhook[];
    ingest: IngestRuntime;
    notifier: DeliveryWorker;
    outbox: OutboxStore;
    parentLinks: ParentLinks;
    alerting: AlertingRuntime;
    alertStore: AlertStore;
    registry: Registry;
    logger: pino.Logger;
  },
): Promise<BacklogMonitor> {
  const stalledAlerts = new BacklogAlerts();
  stalledAlerts.restore(await parts.alertStore.openNodeAlerts(BACKLOG_STALLED_RULE.id));
  const monitor = new BacklogMonitor({
    intervalMs: BACKLOG_READ_INTERVAL_MS,
    rateWindowMs: config.backlogRateWindowMs,
    stallAfterMs: config.backlogStallAfterMs,
    metrics: createBacklogMetrics(parts.registry),
    logger: parts.logger.child({ component: 'backlogs' }),
    sources: {
      ingest: () => {
        const stats = parts.ingest.ingest.stats();
        return {
          depth: Math.max(0, stats.journal.lastSeq - stats.committedSeq),
          drainedTotal: stats.messagesTotal,
          oldestAt: stats.oldestPendingAt,
        };
      },
      webhooks: async () => {
        const unsent = new Map((await parts.outbox.unsentByWebhook()).map((row) => [row.webhookId, row]));
        const settled = parts.notifier.settledCounts();
        return parts.routes().map(({ id }) => ({
          webhookId: id,
          depth: unsent.get(id)?.count ?? 0,
          oldestAt: unsent.get(id)?.oldestAt ?? null,
          drainedTotal: settled.get(id) ?? 0,
        }));
      },
      parents: () => parts.parentLinks.read(),
    },
    onRead: async (watched) => {
      const transitions = stalledAlerts.evaluate(watched, Date.now());
      if (transitions.length === 0) return;
      await parts.alerting.apply(transitions);
      stalledAlerts.applied(transitions);
    },
  });
  monitor.start();
  return monitor;
}

function ingestStats(ingest: IngestRuntime): IngestStats {
  const stats = ingest.ingest.stats();
  return {
    messagesTotal: stats.messagesTotal,
    samplesTotal: stats.samplesTotal,
    samplesPerSec: stats.samplesPerSec,
    queueDepth: stats.queueDepth,
    deadLettersTotal: stats.deadLettersTotal,
  };
}

const config = loadNodeConfig();
main(config).catch((error: unknown) => {
  process.stderr.write(
    `tierscope node ${config.nodeId} failed to start: ${String(error instanceof Error ? error.stack : error)}\n`,
  );
  process.exit(1);
});

/** What a node left open is said once at start, so it is never a surprise in production. */
function warnOpenAccess(config: NodeConfig, logger: pino.Logger): void {
  if (config.mqttUrl === undefined && config.deviceAuth === 'off') {
    logger.warn('DEVICE_AUTH=off: the embedded broker takes any device under any id (README: Device access)');
  }
  if (config.parentTokenHashes.length === 0) {
    logger.warn('PARENT_TOKEN_HASHES unset: anyone who reaches this port may call the API as admin');
  }
}

/** Whether the node's links are encrypted is said once at start, like its open doors. */
function logTls(config: NodeConfig, tls: TlsCertificates, logger: pino.Logger): void {
  if (!tls.serving) {
    logger.warn('TLS_CERT_FILE unset: the API, uplink and broker serve plain text (README: TLS)');
    return;
  }
  logger.info(
    {
      ...tls.describe(),
      ...(config.mqttsPort !== undefined && { mqttsPort: config.mqttsPort }),
      mqttPlaintext: config.mqttUrl === undefined ? config.mqttPlaintext : undefined,
    },
    'serving TLS',
  );
  if (config.mqttUrl === undefined && config.mqttPlaintext === 'on')
    logger.warn(
      { port: config.mqttPort },
      'the embedded broker also takes plain-text MQTT (MQTT_PLAINTEXT=off closes it)',
    );
}
