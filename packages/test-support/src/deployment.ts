// The demo deployment: three tiers of real processes (probes on their embedded brokers and PGlite,
// a district node, the BFF serving the built console) and one device simulator per probe
// publishing over MQTT. `npm start` runs it on the demo ports; e2e and the web bench on free ones.
//
//   BFF :4000 ─┬─ district-1 :4110 ─┬─ probe-a :4101 (mqtt 1884)   dials the district's uplink
//              │                    ├─ probe-b :4102 (mqtt 1885)   dials the district's uplink
//              │                    └─ probe-c :4103 (mqtt 1886)   dialled by the district
//              └─ probe-d :4104 (mqtt 1887)                        dialled by the BFF
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { hashNodeToken, newNodeToken } from '@tierscope/federation';
import { generateVapidKeys } from '@tierscope/notify';
import { DEMO_POLICY, demoPolicyFrom, type DemoPolicyOutcome } from './demo-policy.ts';
import {
  BFF_MAIN,
  freePort,
  SIMULATOR_MAIN,
  spawnNode,
  spawnProcess,
  spawnTier,
  waitFor,
  waitReady,
  type SpawnedProcess,
  type TierProcess,
} from './processes.ts';
import { provisionSimulatorLogins, registerSimulatorFleet, simulatorFleetCsv } from './simulator-logins.ts';
import type { DemoTls } from './demo-tls.ts';
import type { TierBackend } from './tier-backends.ts';

const HOST = '127.0.0.1';
export const DISTRICT_ID = 'district-1';
/** Probes that dial the district's uplink WebSocket: the district is given no URL for them. */
const UPLINK_PROBES = ['probe-a', 'probe-b'];
/** The probe the district dials, and the one the BFF dials itself. */
const DISTRICT_DIALS = ['probe-c'];
const BFF_DIALS = ['probe-d'];
const PROBE_SEEDS: Record<string, number> = { 'probe-a': 11, 'probe-b': 22, 'probe-c': 33, 'probe-d': 44 };
export const DEMO_PROBE_IDS: readonly string[] = Object.keys(PROBE_SEEDS);
/** PGlite and tsx start slowly when several processes start at once on a small machine. */
const READY_TIMEOUT_MS = 120_000;
/** How long a process may take to stop after SIGTERM before it is killed. */
const STOP_GRACE_MS = 15_000;

export interface Ports {
  bff: number;
  district: { http: number; mqtt: number };
  probes: Record<string, { http: number; mqtt: number }>;
}

/** The ports `npm start` uses (README). */
export const DEMO_PORTS: Ports = {
  bff: 4000,
  district: { http: 4110, mqtt: 1890 },
  probes: {
    'probe-a': { http: 4101, mqtt: 1884 },
    'probe-b': { http: 4102, mqtt: 1885 },
    'probe-c': { http: 4103, mqtt: 1886 },
    'probe-d': { http: 4104, mqtt: 1887 },
  },
};

/** Ports the OS says are free now, for a deployment beside a running demo. */
export async function freePorts(): Promise<Ports> {
  const pair = async () => ({ http: await freePort(), mqtt: await freePort() });
  const probes: Ports['probes'] = {};
  for (const id of Object.keys(PROBE_SEEDS)) probes[id] = await pair();
  return { bff: await freePort(), district: await pair(), probes };
}

export interface DeploymentOptions {
  ports: Ports;
  /** Each node's PGlite and journal go under `<dataDir>/<id>`, the logs under `<dataDir>/logs`. */
  dataDir: string;
  devicesPerProbe: number;
  /** Telemetry messages per second per device. */
  rate: number;
  /**
   * Whether the simulators drive devices across the demo policy's rules now and then (their
   * excursions, at their default rate). The demo wants them; tests whose counts and values must
   * stay as the simulator's seed makes them turn them off.
   */
  excursions: boolean;
  /**
   * Whether the BFF publishes the demo policy (`./demo-policy.ts`, DEMO_POLICY_FILE) at a start
   * that finds it without a policy version. Tests install their own rules.
   */
  demoPolicy: boolean;
  /**
   * Probes whose embedded broker takes anonymous devices (DEVICE_AUTH=off), for devices a test or a
   * person plays by hand. Every other probe refuses them: the deployment gives its simulated devices
   * logins through the probe's API before the simulator starts (docs/decisions/0025). Default none.
   */
  openProbes?: readonly string[];
  /** Called when a process exits that was not asked to stop (the demo stops everything then). */
  onUnexpectedExit?: (name: string, code: number | null, signal: NodeJS.Signals | null) => void;
  /** Progress lines; the demo prints them to stderr. */
  log?: (line: string) => void;
  /** Aborting stops every process, also while the deployment is still starting. */
  signal?: AbortSignal;
  /**
   * The first console admin's password (BFF_ADMIN_PASSWORD), used when the BFF's database has no
   * users yet. Without it (and without BFF_ADMIN_PASSWORD in the environment) the BFF makes a
   * one-time password at its first start: see `Deployment.firstAdmin`.
   */
  adminPassword?: string;
  /**
   * Where the tiers keep their data and meet their devices. Without it every node runs on PGlite
   * under `dataDir` with its embedded broker, the product's default; with it each node and the BFF
   * take the store and broker the backend hands out (the real PostgreSQL and Mosquitto, say), and
   * the simulators publish to those brokers.
   */
  backend?: TierBackend;
  /**
   * One probe sends the alerts of a rule to a webhook on 127.0.0.1:`port`, retried at least every
   * second, and calls a backlog stalled after 5 s: a test listens there (or not) to make the
   * probe's webhook backlog grow and drain.
   */
  probeWebhook?: { probeId: string; port: number; ruleId: string };
  /** Every link on TLS with the demo CA's certificates (`npm start -- --tls`). */
  tls?: DemoTls;
  /**
   * Where the BFF may send notifications beyond public hosts (`WEBHOOK_ALLOWLIST`): a test's push
   * endpoint on 127.0.0.1, say. Browsers' push services are public hosts and need nothing here.
   */
  bffAllowlist?: string;
}

/** The settings that give `probeWebhook.probeId` its webhook, and backlogs that answer quickly. */
function probeWebhookEnv(webhook: DeploymentOptions['probeWebhook'], id: string): Record<string, string> {
  if (webhook?.probeId !== id) return {};
  return {
    WEBHOOKS: JSON.stringify([
      {
        id: 'e2e-receiver',
        url: `http://${HOST}:${webhook.port}/alerts`,
        minSeverity: 'info',
        matchers: { ruleId: webhook.ruleId },
        timeoutMs: 2000,
      },
    ]),
    WEBHOOK_ALLOWLIST: HOST,
    WEBHOOK_RETRY_MAX_MS: '1000',
    BACKLOG_STALL_AFTER_MS: '5000',
    BACKLOG_RATE_WINDOW_MS: '30000',
  };
}

/** How to log in to the console for the first time, as the BFF set it up at this start. */
export type FirstAdmin =
  /** The BFF made the first admin with a one-time password, printed once (to its log too). */
  | { kind: 'one-time'; user: string; password: string }
  /** The first admin has BFF_ADMIN_PASSWORD, or users existed already: nothing new to tell. */
  | { kind: 'known'; user: string };

export interface NodeProcessInfo {
  id: string;
  /** Its node path as the console shows it: `district-1/probe-a`. */
  path: string;
  httpUrl: string;
  mqttUrl: string;
  pid: number;
  /** How its parent reaches it: it dials the parent's uplink, or the parent dials it with a token. */
  link: 'uplink' | 'dialled';
}

export interface Deployment {
  bffUrl: string;
  firstAdmin: FirstAdmin;
  /** Only when the demo policy was asked for. */
  demoPolicy?: DemoPolicyOutcome;
  /** The probes, then the district. */
  nodes: NodeProcessInfo[];
  /** Probes that take anonymous devices (`openProbes`); the others take only devices with logins. */
  openProbes: string[];
  logDir: string;
  /** Stops every process (SIGTERM, then SIGKILL after a grace period) and waits for them. */
  stop(): Promise<void>;
}

interface ProcessSpec {
  name: string;
  env: Record<string, string>;
}

/** Starts the three tiers leaves first, then the simulators; resolves once every node is ready. */
export async function startDeployment(options: DeploymentOptions): Promise<Deployment> {
  const { ports, tls } = options;
  const httpUrl = (port: number) => `${tls ? 'https' : 'http'}://${HOST}:${port}`;
  const dataDir = resolve(options.dataDir);
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const log = options.log ?? (() => undefined);
  const started: SpawnedProcess[] = [];
  let stopping = false;
  // A fresh node token per run for each uplink probe; the district knows them as UPLINK_CHILDREN.
  const uplinkTokens = new Map(UPLINK_PROBES.map((id) => [id, newNodeToken()]));
  // And one for each dialled node: its parent presents it, the node keeps only its hash (decision 11).
  const dialTokens = new Map(
    [DISTRICT_ID, ...DISTRICT_DIALS, ...BFF_DIALS].map((id) => [id, newNodeToken()]),
  );
  const parentTokenOf = (id: string): Record<string, string> => {
    const token = dialTokens.get(id);
    return token === undefined ? {} : { PARENT_TOKEN_HASHES: hashNodeToken(token) };
  };
  const childTokens = (ids: string[]) => ids.map((id) => `${id}=${dialTokens.get(id)!}`).join(',');
  const probeIds = Object.keys(PROBE_SEEDS);
  const probePort = (id: string) => ports.probes[id] ?? missingPort(id);
  const childList = (ids: string[]) => ids.map((id) => `${id}=${httpUrl(probePort(id).http)}`).join(',');

  const probeSpec = (id: string): ProcessSpec => ({
    name: id,
    env: {
      NODE_NAME: id,
      HTTP_PORT: String(probePort(id).http),
      MQTT_PORT: String(probePort(id).mqtt),
      DATA_DIR: join(dataDir, id),
      ...(options.openProbes?.includes(id) && { DEVICE_AUTH: 'off' }),
      ...parentTokenOf(id),
      ...probeWebhookEnv(options.probeWebhook, id),
      ...(uplinkTokens.has(id) && {
        PARENT_UPLINK_URL: `${tls ? 'wss' : 'ws'}://${HOST}:${ports.district.http}/uplink`,
        NODE_TOKEN: uplinkTokens.get(id)!,
      }),
      ...tls?.tierEnv(id, probePort(id).mqtt),
    },
  });

  const districtSpec: ProcessSpec = {
    name: DISTRICT_ID,
    env: {
      NODE_NAME: 'District 1',
      HTTP_PORT: String(ports.district.http),
      MQTT_PORT: String(ports.district.mqtt),
      DATA_DIR: join(dataDir, DISTRICT_ID),
      CHILDREN: childList(DISTRICT_DIALS),
      CHILD_TOKENS: childTokens(DISTRICT_DIALS),
      ...parentTokenOf(DISTRICT_ID),
      UPLINK_CHILDREN: [...uplinkTokens].map(([id, token]) => `${id}=${token}`).join(','),
      // Under the BFF's 1500 ms; a budget sent by the BFF lowers it further.
      FEDERATION_DEADLINE_MS: '1200',
      ...tls?.tierEnv(DISTRICT_ID, ports.district.mqtt),
    },
  };

  const bffEnv: Record<string, string> = {
    HTTP_PORT: String(ports.bff),
    CHILDREN: `${DISTRICT_ID}=${httpUrl(ports.district.http)},${childList(BFF_DIALS)}`,
    CHILD_TOKENS: childTokens([DISTRICT_ID, ...BFF_DIALS]),
    // Users, sessions and the audit log live beside the nodes' data, unless a database is given.
    ...(!process.env.DATABASE_URL && { DATABASE_URL: `pglite:${join(dataDir, 'bff')}` }),
    ...(options.adminPassword !== undefined && { BFF_ADMIN_PASSWORD: options.adminPassword }),
    ...(options.demoPolicy && { DEMO_POLICY_FILE: writeDemoPolicy(dataDir) }),
    ...vapidEnv(dataDir),
    ...(options.bffAllowlist !== undefined && { WEBHOOK_ALLOWLIST: options.bffAllowlist }),
    ...tls?.tierEnv('bff'),
  };

  /** Per probe that refuses anonymous devices: the file with its simulated devices' logins. */
  const simulatorLogins = new Map<string, string>();
  const simulatorArgs = (id: string): string[] =>
    [
      ['--url', brokerUrlOf(id)],
      simulatorLogins.has(id) ? ['--credentials', simulatorLogins.get(id)!] : [],
      ['--devices', String(options.devicesPerProbe)],
      ['--rate', String(options.rate)],
      ['--seed', String(PROBE_SEEDS[id])],
      ['--invalid-every', '500'],
      options.excursions ? [] : ['--excursions', '0'],
    ].flat();

  /** Each process writes its own log file, at the apps' level (info) unless LOG_LEVEL says otherwise. */
  const logged = (name: string) => ({
    logFile: join(logDir, `${name}.log`),
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
  });
  const track = <P extends SpawnedProcess>(spawned: P): P => {
    void spawned.exited.then(({ code, signal }) => {
      if (!stopping) options.onUnexpectedExit?.(spawned.name, code, signal);
    });
    started.push(spawned);
    return spawned;
  };
  const stopped = new AbortController();
  /** Starts the tiers together and waits until every one is ready. */
  const readyAll = async (tiers: Promise<TierProcess>[]): Promise<TierProcess[]> => {
    const spawned = await Promise.all(tiers.map((tier) => tier.then(track)));
    await Promise.all(spawned.map((tier) => waitReady(tier, READY_TIMEOUT_MS, { signal: stopped.signal })));
    return spawned;
  };
  /** Each node's broker as its devices reach it: its embedded one, or the one the backend gave it. */
  const brokerUrls = new Map<string, string>();
  const startNode = async ({ name, env }: ProcessSpec) => {
    const node = await spawnNode(
      name,
      { ...logged(name).env, ...env, ...(await options.backend?.nodeEnv(name)) },
      { logFile: logged(name).logFile },
    );
    brokerUrls.set(name, node.mqttUrl);
    return node;
  };
  const brokerUrlOf = (id: string) => brokerUrls.get(id) ?? `mqtt://${HOST}:${probePort(id).mqtt}`;

  let stopAll: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopAll ??= (async () => {
      stopping = true;
      stopped.abort(new Error('the deployment is stopping'));
      // Simulators first, the BFF before the nodes: each SIGTERM is sent at once, in that order.
      await Promise.all([...started].reverse().map((spawned) => spawned.stop('SIGTERM', STOP_GRACE_MS)));
    })());

  options.signal?.addEventListener('abort', () => void stop(), { once: true });
  let firstAdmin: FirstAdmin = { kind: 'known', user: process.env.BFF_ADMIN_USER || 'admin' };
  let demoPolicy: DemoPolicyOutcome | undefined;
  try {
    // PGlite takes seconds to start on a small machine: the leaves first, then each tier above them.
    const stores = options.backend
      ? 'their own databases and brokers'
      : `embedded brokers, PGlite under ${dataDir}`;
    log(`starting ${probeIds.join(', ')} (${stores})…`);
    const fleetCsv = simulatorFleetCsv(options.devicesPerProbe);
    // Awaited below, when the probes are up; a start that fails before then must not leave it unhandled.
    fleetCsv.catch(() => undefined);
    await readyAll(probeIds.map((id) => startNode(probeSpec(id))));
    // On its own broker (no backend) a probe refuses anonymous devices unless it is an open one.
    const guarded = options.backend ? [] : probeIds.filter((id) => !options.openProbes?.includes(id));
    if (guarded.length > 0) log(`giving the simulated devices of ${guarded.join(', ')} their logins…`);
    for (const id of probeIds) {
      const probe = { id, httpUrl: httpUrl(probePort(id).http), token: dialTokens.get(id) };
      if (guarded.includes(id))
        simulatorLogins.set(id, await provisionSimulatorLogins(probe, await fleetCsv, join(dataDir, id)));
      // Anonymous devices would be known by id only: reports group by kind and site.
      else await registerSimulatorFleet(probe, await fleetCsv);
    }
    log(`starting ${DISTRICT_ID}…`);
    await readyAll([startNode(districtSpec)]);
    log('starting the BFF…');
    const bffLog = logged('bff');
    const bffLogStart = sizeOf(bffLog.logFile);
    const bffStore = await options.backend?.bffEnv();
    await readyAll([
      spawnTier('bff', BFF_MAIN, { ...bffLog.env, ...bffEnv, ...bffStore }, { logFile: bffLog.logFile }),
    ]);
    firstAdmin = firstAdminFrom(readFrom(bffLog.logFile, bffLogStart));
    if (options.demoPolicy) demoPolicy = await demoPolicyOutcome(bffLog.logFile, bffLogStart, stopped.signal);
    for (const id of probeIds) {
      const name = `simulator-${id}`;
      track(
        spawnProcess({
          name,
          entry: SIMULATOR_MAIN,
          args: simulatorArgs(id),
          ...logged(name),
          env: { ...logged(name).env, ...tls?.simulatorEnv() },
        }),
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }

  const pidOf = (name: string) => started.find((spawned) => spawned.name === name)?.pid ?? -1;
  return {
    bffUrl: httpUrl(ports.bff),
    firstAdmin,
    openProbes: options.backend ? probeIds : probeIds.filter((id) => options.openProbes?.includes(id)),
    ...(demoPolicy && { demoPolicy }),
    logDir,
    nodes: [
      ...probeIds.map((id) => ({
        id,
        path: BFF_DIALS.includes(id) ? id : `${DISTRICT_ID}/${id}`,
        httpUrl: httpUrl(probePort(id).http),
        mqttUrl: brokerUrlOf(id),
        pid: pidOf(id),
        link: uplinkTokens.has(id) ? ('uplink' as const) : ('dialled' as const),
      })),
      {
        id: DISTRICT_ID,
        path: DISTRICT_ID,
        httpUrl: httpUrl(ports.district.http),
        mqttUrl: brokerUrls.get(DISTRICT_ID) ?? `${tls ? 'mqtts' : 'mqtt'}://${HOST}:${ports.district.mqtt}`,
        pid: pidOf(DISTRICT_ID),
        link: 'dialled' as const,
      },
    ],
    stop,
  };
}

/**
 * The BFF prints a one-time password to its stdout (which is its log file here) when it creates the
 * first admin without BFF_ADMIN_PASSWORD; it does so before it listens, so the text is there once
 * it is ready.
 */
export function firstAdminFrom(bffOutput: string): FirstAdmin {
  const printed = /first admin "([^"]+)" with the one-time password\s+(\S+)/.exec(bffOutput);
  if (printed) return { kind: 'one-time', user: printed[1]!, password: printed[2]! };
  return { kind: 'known', user: process.env.BFF_ADMIN_USER || 'admin' };
}

/** The demo policy as the BFF reads it (DEMO_POLICY_FILE), written afresh at every start. */
function writeDemoPolicy(dataDir: string): string {
  const file = join(dataDir, 'demo-policy.json');
  writeFileSync(file, `${JSON.stringify(DEMO_POLICY, null, 2)}\n`);
  return file;
}

/**
 * The BFF's Web Push identity, made at the first start and kept under `dataDir`: a browser's push
 * subscription is bound to the public key, so a new pair at each start would silence every phone.
 */
function vapidEnv(dataDir: string): Record<string, string> {
  const file = join(dataDir, 'vapid.json');
  if (!existsSync(file)) writeFileSync(file, `${JSON.stringify(generateVapidKeys())}\n`, { mode: 0o600 });
  const keys = JSON.parse(readFileSync(file, 'utf8')) as ReturnType<typeof generateVapidKeys>;
  return { VAPID_PUBLIC_KEY: keys.publicKey, VAPID_PRIVATE_KEY: keys.privateKey };
}

/** The BFF publishes the demo policy just after it is ready; how long that may take. */
const DEMO_POLICY_WAIT_MS = 30_000;

/** Waits for the BFF's log line on the demo policy (after `offset`, this start's part). */
async function demoPolicyOutcome(
  file: string,
  offset: number,
  signal: AbortSignal,
): Promise<DemoPolicyOutcome> {
  let outcome: DemoPolicyOutcome | undefined;
  await waitFor(
    "the BFF's word on the demo policy",
    async () => (outcome = demoPolicyFrom(readFrom(file, offset))) !== undefined,
    { timeoutMs: DEMO_POLICY_WAIT_MS, pollMs: 200, signal },
  ).catch(() => undefined);
  return outcome ?? { kind: 'not-published' };
}

function sizeOf(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

/** The whole of what was written to `file` after `offset` (the launcher keeps only a tail). */
function readFrom(file: string, offset: number): string {
  return existsSync(file) ? readFileSync(file).subarray(offset).toString('utf8') : '';
}

function missingPort(id: string): never {
  throw new Error(`no ports given for ${id}`);
}
