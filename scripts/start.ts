// `npm start`: a whole small deployment on this machine with no configuration — three tiers of
// real processes (probes on their embedded brokers and PGlite, a district node, the BFF serving
// the built console), and one device simulator per probe publishing over MQTT.
//
//   BFF :4000 ─┬─ district-1 :4110 ─┬─ probe-a :4101 (mqtt 1884)   dials the district's uplink
//              │                    ├─ probe-b :4102 (mqtt 1885)   dials the district's uplink
//              │                    └─ probe-c :4103 (mqtt 1886)   dialled by the district
//              └─ probe-d :4104 (mqtt 1887)                        dialled by the BFF
//
// `startDeployment()` runs the same deployment with other ports, data directory and device count
// (the console's end-to-end tests start one on free ports in a temporary directory).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { hashNodeToken, newNodeToken } from '@tierscope/federation';
import { freePort } from '@tierscope/test-support/processes';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const HOST = '127.0.0.1';
const DISTRICT_ID = 'district-1';
/** Probes that dial the district's uplink WebSocket: the district is given no URL for them. */
const UPLINK_PROBES = ['probe-a', 'probe-b'];
/** The probe the district dials, and the one the BFF dials itself. */
const DISTRICT_DIALS = ['probe-c'];
const BFF_DIALS = ['probe-d'];
const NODE_MAIN = 'apps/node/src/main.ts';
/** A tier node's V8 flags, as apps/node/src/ingest/node-flags.ts names them (docs/decisions/0013). */
const NODE_V8_FLAGS = ['--max-old-space-size=1024'];
const PROBE_SEEDS: Record<string, number> = { 'probe-a': 11, 'probe-b': 22, 'probe-c': 33, 'probe-d': 44 };

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
}

export interface Deployment {
  bffUrl: string;
  firstAdmin: FirstAdmin;
  nodes: NodeProcessInfo[];
  logDir: string;
  /** Stops every process (SIGTERM, then SIGKILL after a grace period) and waits for them. */
  stop(): Promise<void>;
}

interface ProcessSpec {
  name: string;
  entry: string;
  args?: string[];
  env: Record<string, string>;
  /** An HTTP URL that answers 200 once the process is ready. */
  readyUrl?: string;
}

const httpUrl = (port: number) => `http://${HOST}:${port}`;

/** Starts the three tiers leaves first, then the simulators; resolves once every node is ready. */
export async function startDeployment(options: DeploymentOptions): Promise<Deployment> {
  const { ports } = options;
  const dataDir = resolve(options.dataDir);
  const logDir = `${dataDir}/logs`;
  mkdirSync(logDir, { recursive: true });
  const log = options.log ?? (() => undefined);
  const children: { spec: ProcessSpec; child: ChildProcess }[] = [];
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
    entry: NODE_MAIN,
    env: {
      NODE_ID: id,
      NODE_NAME: id,
      HTTP_PORT: String(probePort(id).http),
      MQTT_PORT: String(probePort(id).mqtt),
      DATA_DIR: `${dataDir}/${id}`,
      ...parentTokenOf(id),
      ...(uplinkTokens.has(id) && {
        PARENT_UPLINK_URL: `ws://${HOST}:${ports.district.http}/uplink`,
        NODE_TOKEN: uplinkTokens.get(id)!,
      }),
    },
    readyUrl: `${httpUrl(probePort(id).http)}/readyz`,
  });

  const districtSpec: ProcessSpec = {
    name: DISTRICT_ID,
    entry: NODE_MAIN,
    env: {
      NODE_ID: DISTRICT_ID,
      NODE_NAME: 'District 1',
      HTTP_PORT: String(ports.district.http),
      MQTT_PORT: String(ports.district.mqtt),
      DATA_DIR: `${dataDir}/${DISTRICT_ID}`,
      CHILDREN: childList(DISTRICT_DIALS),
      CHILD_TOKENS: childTokens(DISTRICT_DIALS),
      ...parentTokenOf(DISTRICT_ID),
      UPLINK_CHILDREN: [...uplinkTokens].map(([id, token]) => `${id}=${token}`).join(','),
      // Under the BFF's 1500 ms; a budget sent by the BFF lowers it further.
      FEDERATION_DEADLINE_MS: '1200',
    },
    readyUrl: `${httpUrl(ports.district.http)}/readyz`,
  };

  const bffSpec: ProcessSpec = {
    name: 'bff',
    entry: 'apps/bff/src/main.ts',
    env: {
      HTTP_PORT: String(ports.bff),
      CHILDREN: `${DISTRICT_ID}=${httpUrl(ports.district.http)},${childList(BFF_DIALS)}`,
      CHILD_TOKENS: childTokens([DISTRICT_ID, ...BFF_DIALS]),
      // Users, sessions and the audit log live beside the nodes' data, unless a database is given.
      ...(!process.env.DATABASE_URL && { DATABASE_URL: `pglite:${dataDir}/bff` }),
      ...(options.adminPassword !== undefined && { BFF_ADMIN_PASSWORD: options.adminPassword }),
    },
    readyUrl: `${httpUrl(ports.bff)}/readyz`,
  };

  const simulatorSpec = (id: string): ProcessSpec => ({
    name: `simulator-${id}`,
    entry: 'apps/simulator/src/main.ts',
    args: [
      ['--url', `mqtt://${HOST}:${probePort(id).mqtt}`],
      ['--devices', String(options.devicesPerProbe)],
      ['--rate', String(options.rate)],
      ['--seed', String(PROBE_SEEDS[id])],
      ['--invalid-every', '500'],
    ].flat(),
    env: {},
  });

  const launch = (spec: ProcessSpec): void => {
    // The child writes its log file itself, so its logging never depends on this process.
    const logFile = openSync(`${logDir}/${spec.name}.log`, 'a');
    const flags = spec.entry === NODE_MAIN ? NODE_V8_FLAGS : [];
    const child = spawn(process.execPath, [...flags, '--import', 'tsx', spec.entry, ...(spec.args ?? [])], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', logFile, logFile],
    });
    closeSync(logFile);
    child.on('exit', (code, signal) => {
      if (!stopping) options.onUnexpectedExit?.(spec.name, code, signal);
    });
    children.push({ spec, child });
  };

  const waitUntilReady = async (spec: ProcessSpec, timeoutMs = 120_000): Promise<void> => {
    if (!spec.readyUrl) return;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !stopping) {
      const response = await fetch(spec.readyUrl).catch(() => undefined);
      if (response?.ok) return;
      await sleep(250);
    }
    throw new Error(
      `${spec.name} was not ready within ${timeoutMs / 1000} s; see ${logDir}/${spec.name}.log`,
    );
  };

  /** Starts the processes together and waits until every one is ready. */
  const launchAll = async (specs: ProcessSpec[]): Promise<void> => {
    for (const spec of specs) launch(spec);
    await Promise.all(specs.map((spec) => waitUntilReady(spec)));
  };

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= stopAll());
  const stopAll = async (): Promise<void> => {
    stopping = true;
    const running = children.filter(({ child }) => child.exitCode === null && child.signalCode === null);
    const exited = running.map(({ child }) => new Promise((done) => child.once('exit', done)));
    for (const { child } of [...running].reverse()) child.kill('SIGTERM');
    await Promise.race([Promise.all(exited), sleep(15_000)]);
    for (const { child } of running)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(exited);
  };

  options.signal?.addEventListener('abort', () => void stop(), { once: true });
  let firstAdmin: FirstAdmin = { kind: 'known', user: process.env.BFF_ADMIN_USER || 'admin' };
  try {
    // PGlite takes seconds to start on a small machine: the leaves first, then each tier above them.
    log(`starting ${probeIds.join(', ')} (embedded brokers, PGlite under ${dataDir})…`);
    await launchAll(probeIds.map(probeSpec));
    log(`starting ${DISTRICT_ID}…`);
    await launchAll([districtSpec]);
    log('starting the BFF…');
    const bffLogStart = sizeOf(`${logDir}/${bffSpec.name}.log`);
    await launchAll([bffSpec]);
    firstAdmin = firstAdminFrom(readFrom(`${logDir}/${bffSpec.name}.log`, bffLogStart));
    for (const id of probeIds) launch(simulatorSpec(id));
  } catch (error) {
    await stop();
    throw error;
  }

  const pidOf = (name: string) => children.find((c) => c.spec.name === name)?.child.pid ?? -1;
  return {
    bffUrl: httpUrl(ports.bff),
    firstAdmin,
    logDir,
    nodes: [
      ...probeIds.map((id) => ({
        id,
        path: BFF_DIALS.includes(id) ? id : `${DISTRICT_ID}/${id}`,
        httpUrl: httpUrl(probePort(id).http),
        mqttUrl: `mqtt://${HOST}:${probePort(id).mqtt}`,
        pid: pidOf(id),
      })),
      {
        id: DISTRICT_ID,
        path: DISTRICT_ID,
        httpUrl: httpUrl(ports.district.http),
        mqttUrl: `mqtt://${HOST}:${ports.district.mqtt}`,
        pid: pidOf(DISTRICT_ID),
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

function sizeOf(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

function readFrom(file: string, offset: number): string {
  return existsSync(file) ? readFileSync(file).subarray(offset).toString('utf8') : '';
}

function missingPort(id: string): never {
  throw new Error(`no ports given for ${id}`);
}

/** What `npm start` prints once everything is up. */
function describeDeployment(deployment: Deployment, devicesPerProbe: number): string {
  const bff = deployment.bffUrl;
  const district = deployment.nodes.find((n) => n.id === DISTRICT_ID)!;
  return [
    '',
    'Tierscope is running.',
    `  Console:              ${bff}/`,
    ...describeLogin(deployment),
    `  BFF (tRPC):           ${bff}/trpc   (every call needs a console session: log in at ${bff}/auth/login)`,
    `  health, metrics:      ${bff}/healthz  ${bff}/metrics`,
    `  ${DISTRICT_ID}:           ${district.httpUrl}/trpc  (${district.mqttUrl}, no devices of its own)`,
    ...deployment.nodes
      .filter((n) => n.id !== DISTRICT_ID)
      .map(
        (n) => `  ${n.id} (${n.path}): ${n.httpUrl}/trpc  ${n.mqttUrl}  ${devicesPerProbe} simulated devices`,
      ),
    `  ${[DISTRICT_ID, ...DISTRICT_DIALS, ...BFF_DIALS].join(', ')} answer only their parent (a node token made for this run)`,
    `  ${UPLINK_PROBES.join(' and ')} dial ws://${HOST}:${new URL(district.httpUrl).port}/uplink (tokens made for this run); the district has no URL for them`,
    `  device MQTT:          try: mosquitto_pub -p ${new URL(deployment.nodes[0]!.mqttUrl).port} -t devices/x1/telemetry -m '{"metrics":{"temp":21.5}}'`,
    `  logs:                 ${deployment.logDir}/`,
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}

/** Where and as whom to log in; a one-time password is shown here, the one time it exists. */
function describeLogin({ bffUrl, firstAdmin, logDir }: Deployment): string[] {
  const login = `${bffUrl}/login`;
  if (firstAdmin.kind === 'one-time')
    return [
      `  Log in:               ${login}  as "${firstAdmin.user}" with the one-time password`,
      '',
      `      ${firstAdmin.password}`,
      '',
      '                        It is shown only now: choose your own password at the first login.',
    ];
  if (process.env.BFF_ADMIN_PASSWORD)
    return [`  Log in:               ${login}  as "${firstAdmin.user}" with BFF_ADMIN_PASSWORD`];
  return [
    `  Log in:               ${login}  with your console account ("${firstAdmin.user}" was made at the first`,
    `                        start, with a one-time password printed then${process.env.DATABASE_URL ? '' : `; to start over, remove ${resolve(logDir, '../bff')}`})`,
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string', default: '.data' },
      devices: { type: 'string', default: '70' },
    },
  });
  const devicesPerProbe = Number(values.devices);
  if (!Number.isInteger(devicesPerProbe) || devicesPerProbe < 1)
    throw new Error('--devices: a whole number, 1 or more');
  const ports = values.port ? { ...DEMO_PORTS, bff: Number(values.port) } : DEMO_PORTS;

  // Aborting stops the processes whether or not the deployment has finished starting.
  const stopped = new AbortController();
  const startup = startDeployment({
    ports,
    dataDir: values['data-dir'],
    devicesPerProbe,
    rate: 0.5,
    signal: stopped.signal,
    log: (line) => process.stderr.write(`${line}\n`),
    onUnexpectedExit: (name, code, signal) => {
      process.stderr.write(
        `${name} exited (${signal ?? code}); see ${values['data-dir']}/logs/${name}.log\n`,
      );
      void shutdown(1);
    },
  });
  const shutdown = async (exitCode: number): Promise<void> => {
    if (stopped.signal.aborted) return;
    process.stderr.write('stopping…\n');
    stopped.abort();
    await startup.then(
      (deployment) => deployment.stop(),
      () => undefined,
    );
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  const deployment = await startup.catch((error: unknown) => {
    // Stopped while starting: shutdown() exits once the processes are gone.
    if (stopped.signal.aborted) return new Promise<never>(() => undefined);
    throw error;
  });
  process.stdout.write(describeDeployment(deployment, devicesPerProbe));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
