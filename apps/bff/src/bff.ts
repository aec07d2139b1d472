// The BFF's composition: store → children → federation → notifier → reports → server. main.ts
// starts it from the environment; tests start it in-process with their own clock.
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import {
  federationFromConfig,
  sqlPolicyVersionStore,
  sqlUnreachableAlertStore,
  TlsCertificates,
} from '@tierscope/federation';
import {
  AlertStreamFeed,
  asAlertNotifications,
  createOutboxStore,
  createTierNotifier,
} from '@tierscope/notify';
import type { Actor, AuditedChange, PublishPolicyInput } from '@tierscope/shared';
import { storeReadiness } from '@tierscope/store';
import { consoleAccessSettingsOf, createConsoleAccess } from './console/console-access.ts';
import { auditEventOf } from './console/audited-changes.ts';
import { bootstrapFirstAdmin } from './console/first-admin.ts';
import { CONSOLE_LOG_REDACT } from './console/log-redaction.ts';
import { createMailer } from '@tierscope/notify';
import type { BffConfig } from './env.ts';
import { createReportMaker } from './reports/report-maker.ts';
import { createReportPrinter } from './reports/report-printer.ts';
import { ReportScheduler } from './reports/report-scheduler.ts';
import { createReportStore } from './reports/report-store.ts';
import { createDashboardStore } from './dashboards/dashboard-store.ts';
import { seedDashboards } from './dashboards/seeded-dashboards.ts';
import { registerFederationMetrics } from './http/federation-metrics.ts';
import { createBffServer } from './http/server.ts';
import { seedDemoPolicy } from './policy/seed-demo-policy.ts';
import { bffEscalations, bffRoutes } from './notifier/bff-routes.ts';
import { userDirectory } from './notifier/user-directory.ts';
import { openBffStore } from './store/client.ts';
import { MIGRATIONS_FOLDER, migrateBffStore } from './store/migrate.ts';

const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

export interface BffOptions {
  /** The report scheduler's clock (and the time printed on reports); tests move it. */
  now?: () => number;
  /** false: the scheduler only runs when tick() is called (tests). */
  runSchedules?: boolean;
}

export interface RunningBff {
  /** Where the BFF serves: `http://127.0.0.1:4000`. */
  url: string;
  reports: ReportScheduler;
  /** TLS certificates read again (SIGHUP). */
  reloadTls(): void;
  stop(): Promise<void>;
}

const DAY_MS = 86_400_000;

export async function startBff(config: BffConfig, options: BffOptions = {}): Promise<RunningBff> {
  const now = options.now ?? (() => Date.now());
  const logger = pino({ level: config.logLevel, base: { node: config.nodeId }, redact: CONSOLE_LOG_REDACT });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const tls = new TlsCertificates({ settings: config, registry, logger: logger.child({ component: 'tls' }) });
  tls.watch();

  const store = await openBffStore(config.databaseUrl);
  await migrateBffStore(store);
  const access = createConsoleAccess(store.db, consoleAccessSettingsOf(config));
  // The one-time password goes to stdout, never through the logger.
  const firstAdmin = await bootstrapFirstAdmin(access.users, config, (text) => process.stdout.write(text));
  if (firstAdmin !== 'users-exist')
    logger.info({ user: config.adminUser, firstAdmin }, 'first admin created');

  // The top of the tree: children's paths are returned as they are (`district-1/probe-a`).
  const { runtime, uplink } = await federationFromConfig({
    config,
    isRoot: true,
    identity: { name: config.nodeName, version, startedAt: Date.now() },
    exec: (text, params) => store.exec(text, params),
    // Shared by the replicas (docs/decisions/0017-two-bff-replicas.md).
    unreachableAlertsInDatabase: true,
    // Listed with the owner's in alerts.notifications: who the BFF itself told.
    notifications: async (alertId) =>
      asAlertNotifications(await createOutboxStore(store).forAlert(alertId), config.nodeId),
    tls,
    logger,
  });
  if (!runtime) throw new Error('the BFF federates even with no children');
  const federation = runtime;
  registerFederationMetrics(registry, federation.heartbeat);

  // The children the BFF loses are notified through its own routes, like a node's alerts; the
  // fleet's alerts go through its escalation policies (docs/decisions/0026-on-call.md).
  const notifierLogger = logger.child({ component: 'notifier' });
  const fleetPolicy = () => federation.policy?.book.document('') ?? null;
  const notifierActor: Actor = { kind: 'system', name: 'notifier', role: 'viewer' };
  const notifier = await createTierNotifier({
    database: store,
    routes: bffRoutes({
      webhooks: config.webhooks,
      allowlist: config.webhookAllowlist,
      policy: fleetPolicy,
      logger: notifierLogger,
    }),
    escalations: bffEscalations(fleetPolicy),
    directory: userDirectory(store.db),
    // Whom the tiers below told already (a probe's own escalation policies): they are not told again.
    toldBelow: async (alert) => {
      const found = await federation
        .service(undefined, notifierActor)
        .alerts.notifications({ nodePath: alert.nodePath, id: alert.id });
      return new Set(
        found.notifications
          .filter((n) => n.tier !== config.nodeId && n.event === 'firing')
          .map((n) => n.recipient),
      );
    },
    stepDelayMs: config.escalationStepDelayMs,
    onSubscriptionGone: (endpoint) => access.notificationSettings.forgetPush(endpoint),
    config,
    registry,
    logger: notifierLogger,
  });
  const unreachableFeed = notifier.feed(
    'node-unreachable',
    sqlUnreachableAlertStore((text, params) => store.exec(text, params)),
  );
  await unreachableFeed.init();
  const fleetAlertFeed = new AlertStreamFeed({
    source: 'fleet-alerts',
    watch: (lastEventId, signal) =>
      federation.service(undefined, notifierActor).alerts.watch({ lastEventId }, signal),
    escalations: notifier.escalations,
    database: store,
    onQueued: () => notifier.worker.wake(),
    logger: notifierLogger,
  });

  // Reports print the BFF's own console page; the address is known once the server listens.
  let consoleUrl = '';
  const printer = createReportPrinter(config.chromiumPath, config.reportBrowser);
  const reportStore = createReportStore(store.db);
  const reportMaker = createReportMaker({
    access,
    printer,
    consoleUrl: () => consoleUrl,
    serviceFor: (actor) => federation.service(undefined, actor),
  });
  const reportMailer =
    config.smtpUrl === undefined ? undefined : createMailer({ url: config.smtpUrl, from: config.smtpFrom });
  const reports = new ReportScheduler({
    store: reportStore,
    maker: reportMaker,
    mailer: reportMailer,
    settings: {
      retentionMs: config.reportRetentionDays * DAY_MS,
      maxAttempts: config.reportDeliveryAttempts,
      retry: { baseDelayMs: 30_000, maxDelayMs: 30 * 60_000 },
      tickMs: 15_000,
    },
    now,
    logger: logger.child({ component: 'reports' }),
  });

  const dashboardStore = createDashboardStore(store.db);
  await seedDashboards(dashboardStore, now, logger.child({ component: 'dashboards' }));

  const server = await createBffServer({
    serviceFor: (budgetMs, actor) => federation.service(budgetMs, actor),
    heartbeat: federation.heartbeat,
    metrics: registry,
    readiness: storeReadiness(store, MIGRATIONS_FOLDER),
    logger,
    access,
    trustProxy: config.trustProxy,
    webDist: config.webDist,
    uplink,
    tls,
    reports: { maker: reportMaker, store: reportStore, now },
    dashboards: dashboardStore,
  });
  await server.listen({ host: config.httpHost, port: config.httpPort });
  const { port } = server.server.address() as AddressInfo;
  const url = `${tls.serving ? 'https' : 'http'}://${loopbackOf(config.httpHost)}:${port}`;
  consoleUrl = url;
  if (options.runSchedules !== false) reports.start();
  notifier.start();
  unreachableFeed.start();
  fleetAlertFeed.start();
  federation.start();
  if (config.demoPolicy) {
    // As the first admin, audited as their console publish would be; the demo runs on without it.
    const admin: Actor = { kind: 'user', name: config.adminUser, role: 'admin' };
    const audit = async (change: AuditedChange) => {
      await access.audit.append({ actor: admin.name, address: '' }, auditEventOf(change));
    };
    try {
      const versions = sqlPolicyVersionStore((text, params) => store.exec(text, params));
      const { policy } = federation.service(undefined, admin);
      const target = {
        hasVersion: async () => (await versions.head()) !== null,
        publish: (input: PublishPolicyInput, actor: Actor) => policy.publish(input, actor),
      };
      const published = await seedDemoPolicy(target, config.demoPolicy, admin, audit);
      logger.info(
        { version: published?.version ?? null },
        published ? 'demo policy published' : 'demo policy kept',
      );
    } catch (error) {
      logger.error({ err: error }, 'demo policy not published');
    }
  }
  logger.info(
    {
      http: `${tls.serving ? 'https' : 'http'}://${config.httpHost}:${config.httpPort}`,
      tls: tls.serving ? tls.describe() : 'off',
      children: config.children.map((c) => `${c.id}=${c.url}`),
      uplinkChildren: config.uplinkChildren.map((c) => c.id),
    },
    'bff ready',
  );
  if (!tls.serving)
    logger.warn('TLS_CERT_FILE unset: the console, API and uplink serve plain text (README: TLS)');

  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    logger.info('stopping');
    await reports.stop();
    await printer.close();
    reportMailer?.close();
    federation.stop();
    await unreachableFeed.stop();
    await fleetAlertFeed.stop();
    await notifier.stop();
    await server.close();
    tls.close();
    await store.close();
    logger.info('stopped');
  };
  return {
    url,
    reports,
    reloadTls: () => tls.reload('SIGHUP'),
    stop: () => (stopping ??= stop()),
  };
}

/** The BFF calls itself on loopback when it listens on every address. */
function loopbackOf(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
