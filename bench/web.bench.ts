// `npm run bench -- web [--quick]`: the console's weight and its speed on the demo deployment.
//
// - first_route_js_gzip_kb: the gzip size of the JavaScript the first route (the overview) loads
//   before it can render, read from the build manifest, and whether ECharts is in it (it must not
//   be: charts load in their own chunk after the numbers show).
// - first_route_js_br_kb, alerts_route_js_br_kb: the same JavaScript as the BFF serves it to a
//   browser that accepts brotli (the build's precompressed files), for / and /alerts. The run
//   fails when / is past FIRST_ROUTE_BR_BUDGET_KB, or when / or /alerts statically imports chart,
//   admin or another page's code (bench/lib/first-route.ts, which a unit test also keeps).
// - lh_mobile_alerts, lh_mobile_overview: Lighthouse 12's performance score (mobile preset) on
//   /alerts and /, median of 3 runs (--quick: 1); targets 0.9 and 0.8.
// - first_alert_row_ms: a phone (390×844, a fresh browser context each time: nothing cached)
//   navigating to /alerts until the first alert card is on screen. Median of 5.
// - publish_to_row_ms: an MQTT publish of a violating sample to a probe's broker until its alert's
//   card appears in an alerts page that is already open (through the probe's engine, the tiers'
//   streams and the browser's). Median of 5; the target is under a second.
//
// The deployment is the one `npm start` runs (four probes under a district and the BFF, simulated
// devices at the demo's rate) on free ports, with the built console and the e2e alert rules.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser } from '@playwright/test';
import {
  DEMO_PROBE_IDS,
  freePorts,
  startDeployment,
  type Deployment,
} from '@tierscope/test-support/deployment';
import { waitFor } from '@tierscope/test-support/processes';
import { connectPublisher, installRules, publishingDevice } from '../e2e/alert-rules.ts';
import { createApiClient, logIn, storageStateOf, type ApiSession } from '../e2e/api-client.ts';
import { CHROMIUM } from '../e2e/chromium.ts';
import { onInterrupt, progress, round, type BenchOptions } from './lib/bench.ts';
import {
  consoleImportGraph,
  FIRST_ROUTES,
  firstRouteModules,
  firstRouteViolations,
} from './lib/first-route.ts';
import { lighthouseRuns } from './lib/lighthouse.ts';
import { buildWeb, gzipBytes, servedBytes, staticClosure, type WebBuild } from './lib/web-build.ts';

/** The first route's module, as the manifest names its lazy chunk. */
const FIRST_ROUTE = FIRST_ROUTES['/'];
const ALERTS_ROUTE = FIRST_ROUTES['/alerts'];
/** The most JavaScript a first route may load, as sent with `Accept-Encoding: br` (issue 19). */
const FIRST_ROUTE_BR_BUDGET_KB = 120;
const LIGHTHOUSE_TARGETS = { lh_mobile_alerts: 0.9, lh_mobile_overview: 0.8 };
const ENTRY = 'index.html';
/** The manual chunk vite.config.ts puts ECharts and zrender in. */
const ECHARTS_CHUNK = 'echarts';
/** `npm start`'s fleet: devices per probe (two sites each) and messages per second per device. */
const DEMO_DEVICES_PER_PROBE = 70;
const DEMO_RATE = 0.5;
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const ALERT_ROW = '[data-testid="alert-row"]';
const TARGET_PUBLISH_TO_ROW_MS = 1000;

interface FirstRouteWeight {
  first_route_js_gzip_kb: number;
  first_route_js_files: number;
  echarts_in_first_route: boolean;
}

async function measureFirstRoute(build: WebBuild): Promise<FirstRouteWeight> {
  const keys = staticClosure(build.manifest, [ENTRY, FIRST_ROUTE]);
  const files = keys.map((key) => build.manifest[key]!).filter((chunk) => chunk.file.endsWith('.js'));
  const sizes = await Promise.all(files.map((chunk) => gzipBytes(join(build.outDir, chunk.file))));
  for (const [i, chunk] of files.entries())
    progress(`first route: ${chunk.file} ${round(sizes[i]! / 1024, 1)} KiB gz`);
  return {
    first_route_js_gzip_kb: round(sizes.reduce((sum, size) => sum + size, 0) / 1024, 1),
    first_route_js_files: files.length,
    echarts_in_first_route: files.some((chunk) => chunk.name === ECHARTS_CHUNK),
  };
}

/** The route's JavaScript (entry and route, static imports) as the BFF sends it to a browser taking br. */
async function servedRouteKb(build: WebBuild, bffUrl: string, route: string): Promise<number> {
  const files = staticClosure(build.manifest, [ENTRY, route])
    .map((key) => build.manifest[key]!.file)
    .filter((file) => file.endsWith('.js'));
  const sizes = await Promise.all(files.map((file) => servedBytes(`${bffUrl}/${file}`, 'br')));
  return round(sizes.reduce((sum, size) => sum + size, 0) / 1024, 1);
}

/** What the first routes statically import that they must not (chart, admin, other pages' code). */
async function firstRouteImportViolations(): Promise<string[]> {
  const routes = Object.values(FIRST_ROUTES);
  const graph = await consoleImportGraph(routes);
  return routes.flatMap((route) => firstRouteViolations(route, firstRouteModules(graph, route)));
}

/** The console's first admin in the bench's deployment; each run makes a new password. */
const ADMIN = { name: 'admin', password: randomBytes(18).toString('base64url') };

interface Demo {
  deployment: Deployment;
  /** The admin's console session: the browser pages and the API calls use it. */
  session: ApiSession;
}

/** Starts the demo deployment serving `build`, with alert rules on every probe and their alerts firing. */
async function startDemo(build: WebBuild, dataDir: string): Promise<Demo> {
  // The BFF serves the console from WEB_DIST (its env); every process inherits this one's env.
  process.env.WEB_DIST = build.outDir;
  progress('starting the demo deployment (4 probes, a district, the BFF)');
  const deployment = await startDeployment({
    ports: await freePorts(),
    dataDir,
    devicesPerProbe: DEMO_DEVICES_PER_PROBE,
    rate: DEMO_RATE,
    // The bench measures the console over its own rules' alerts: no excursions beside them.
    excursions: false,
    // The bench installs its own rules.
    demoPolicy: false,
    adminPassword: ADMIN.password,
    // The bench publishes to every probe as devices of its own, without logins.
    openProbes: DEMO_PROBE_IDS,
    log: (line) => progress(line),
    onUnexpectedExit: (name, code, signal) => progress(`${name} exited (${signal ?? code})`),
  });
  const session = await logIn(deployment.bffUrl, ADMIN.name, ADMIN.password, 'tierscope-bench');
  const api = createApiClient(deployment.bffUrl, session);
  const probes = deployment.nodes.filter((node) => node.id.startsWith('probe-'));
  await waitFor(
    'every device heard and every node up',
    async (signal) => {
      const info = await api.node.info.query(undefined, { signal }).catch(() => undefined);
      const children = info?.children ?? [];
      return (
        children.length > 0 &&
        children.every((child) => child.state === 'up') &&
        info?.devices.total === DEMO_DEVICES_PER_PROBE * probes.length &&
        !info.devices.lowerBound
      );
    },
    { timeoutMs: 120_000, pollMs: 500 },
  );
  await installRules(
    api,
    probes.map((probe) => probe.path),
  );
  await waitFor(
    'alerts firing on every probe',
    async (signal) => {
      const page = await api.alerts.list
        .query({ states: ['firing'], limit: 500 }, { signal })
        .catch(() => undefined);
      return probes.every((probe) => page?.items.some((alert) => alert.nodePath === probe.path));
    },
    { timeoutMs: 60_000, pollMs: 500 },
  );
  return { deployment, session };
}

/** A phone opening /alerts in a fresh context (empty cache) until the first alert card shows. */
async function firstAlertRowMs(
  browser: Browser,
  bffUrl: string,
  session: ApiSession,
  runs: number,
): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const context = await browser.newContext({
      ...PHONE,
      serviceWorkers: 'block',
      storageState: storageStateOf(bffUrl, session),
    });
    try {
      const page = await context.newPage();
      const started = performance.now();
      await page.goto(`${bffUrl}/alerts`, { waitUntil: 'commit' });
      await page.locator(ALERT_ROW).first().waitFor({ state: 'visible', timeout: 30_000 });
      times.push(performance.now() - started);
    } finally {
      await context.close();
    }
  }
  return times;
}

/**
 * With /alerts open on a phone, a violating sample published to a probe's broker until its card
 * is on screen. Each run uses another device (a new alert), alternating probes: uplink-attached,
 * dialled by the district, dialled by the BFF.
 */
async function publishToRowMs(
  browser: Browser,
  { deployment, session }: Demo,
  runs: number,
): Promise<number[]> {
  const probes = deployment.nodes.filter((node) => node.id.startsWith('probe-'));
  const publishers = await Promise.all(probes.map((probe) => connectPublisher(probe.mqttUrl)));
  const context = await browser.newContext({
    ...PHONE,
    serviceWorkers: 'block',
    storageState: storageStateOf(deployment.bffUrl, session),
  });
  const times: number[] = [];
  try {
    const page = await context.newPage();
    await page.goto(`${deployment.bffUrl}/alerts`);
    await page.locator(ALERT_ROW).first().waitFor({ state: 'visible', timeout: 30_000 });
    await sleep(1000);
    for (let run = 0; run < runs; run++) {
      const probe = probes[run % probes.length]!;
      const deviceId = publishingDevice(1 + Math.floor(run / probes.length));
      const row = page.locator(
        `${ALERT_ROW}[data-node="${probe.path}"][data-device="${deviceId}"][data-state="firing"]`,
      );
      const started = performance.now();
      await publishers[run % probes.length]!.publishLevel(deviceId, 500);
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      const elapsed = performance.now() - started;
      times.push(elapsed);
      progress(`publish to row: ${deviceId} on ${probe.path} ${Math.round(elapsed)} ms`);
    }
  } finally {
    await context.close();
    await Promise.all(publishers.map((publisher) => publisher.close()));
  }
  return times;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function runBench(options: BenchOptions): Promise<Record<string, unknown>> {
  // Quick (CI): three of each, still from a cold start of the whole deployment.
  const runs = options.quick ? 3 : 5;
  // Quick (CI): one Lighthouse run per page (about half a minute each), its score noisier.
  const lighthouseRunCount = options.quick ? 1 : 3;
  progress('building apps/web');
  const build = await buildWeb();
  const dataDir = await mkdtemp(join(tmpdir(), 'tierscope-web-bench-data-'));
  let demo: Demo | undefined;
  let browser: Browser | undefined;
  const cleanup = async () => {
    await browser?.close().catch(() => undefined);
    await demo?.deployment.stop();
    await rm(dataDir, { recursive: true, force: true });
    await build.remove();
  };
  const forget = onInterrupt(cleanup);
  try {
    const weight = await measureFirstRoute(build);
    if (weight.echarts_in_first_route)
      progress('ECharts is in the first route: it should load only with charts');

    const budgetsExceeded = (await firstRouteImportViolations()).map((line) => `first route imports ${line}`);

    demo = await startDemo(build, dataDir);
    const bffUrl = demo.deployment.bffUrl;
    const served = {
      first_route_js_br_kb: await servedRouteKb(build, bffUrl, FIRST_ROUTE),
      alerts_route_js_br_kb: await servedRouteKb(build, bffUrl, ALERTS_ROUTE),
    };
    progress(
      `served with br: / ${served.first_route_js_br_kb} KB, /alerts ${served.alerts_route_js_br_kb} KB`,
    );
    // The budget is the first route's (/); /alerts is reported beside it.
    if (served.first_route_js_br_kb > FIRST_ROUTE_BR_BUDGET_KB)
      budgetsExceeded.push(
        `first_route_js_br_kb ${served.first_route_js_br_kb} > ${FIRST_ROUTE_BR_BUDGET_KB}`,
      );

    // Lighthouse first, on a quiet deployment (each run starts its own Chromium).
    const cookie = `${demo.session.cookie.name}=${demo.session.cookie.value}`;
    const lighthouse = {
      lh_mobile_alerts: median(
        (await lighthouseRuns(`${bffUrl}/alerts`, cookie, lighthouseRunCount)).map((r) => r.performance),
      ),
      lh_mobile_overview: median(
        (await lighthouseRuns(`${bffUrl}/`, cookie, lighthouseRunCount)).map((r) => r.performance),
      ),
    };
    for (const [key, target] of Object.entries(LIGHTHOUSE_TARGETS)) {
      const score = lighthouse[key as keyof typeof lighthouse];
      if (score < target) progress(`${key} ${score}: under the ${target} target`);
    }

    browser = await chromium.launch(CHROMIUM);
    const firstRow = await firstAlertRowMs(browser, demo.deployment.bffUrl, demo.session, runs);
    progress(`first alert row: ${firstRow.map((ms) => Math.round(ms)).join(', ')} ms`);
    const publishToRow = await publishToRowMs(browser, demo, runs);
    const publishMedian = median(publishToRow);
    if (publishMedian >= TARGET_PUBLISH_TO_ROW_MS)
      progress(
        `publish to row ${Math.round(publishMedian)} ms: over the ${TARGET_PUBLISH_TO_ROW_MS} ms target`,
      );
    return {
      ...weight,
      ...served,
      first_route_js_br_budget_kb: FIRST_ROUTE_BR_BUDGET_KB,
      ...lighthouse,
      lh_runs: lighthouseRunCount,
      lh_targets: LIGHTHOUSE_TARGETS,
      budgets_exceeded: budgetsExceeded,
      first_alert_row_ms: Math.round(median(firstRow)),
      publish_to_row_ms: Math.round(publishMedian),
      publish_to_row_target_ms: TARGET_PUBLISH_TO_ROW_MS,
      runs,
    };
  } finally {
    forget();
    await cleanup();
  }
}
