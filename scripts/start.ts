// `npm start`: a whole small deployment on this machine with no configuration — three tiers of
// real processes (probes on their embedded brokers and PGlite, a district node, the BFF), and one
// device simulator per probe publishing over MQTT.
//
//   BFF :4000 ─┬─ district-1 :4110 ─┬─ probe-a :4101 (mqtt 1884)   dials the district's uplink
//              │                    ├─ probe-b :4102 (mqtt 1885)   dials the district's uplink
//              │                    └─ probe-c :4103 (mqtt 1886)   dialled by the district
//              └─ probe-d :4104 (mqtt 1887)                        dialled by the BFF
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

interface ProcessSpec {
  name: string;
  entry: string;
  args?: string[];
  env: Record<string, string>;
  /** An HTTP URL that answers 200 once the process is ready. */
  readyUrl?: string;
}

/** Probes that dial the district's uplink WebSocket: the district is given no URL for them. */
const UPLINK_PROBES = ['probe-a', 'probe-b'];

const LOG_DIR = '.data/logs';
const HOST = '127.0.0.1';
const DEVICES_PER_PROBE = 70;
const children: ChildProcess[] = [];

interface Probe {
  id: string;
  httpPort: number;
  mqttPort: number;
  seed: number;
}

const probes: Probe[] = [
  { id: 'probe-a', httpPort: 4101, mqttPort: 1884, seed: 11 },
  { id: 'probe-b', httpPort: 4102, mqttPort: 1885, seed: 22 },
  { id: 'probe-c', httpPort: 4103, mqttPort: 1886, seed: 33 },
  { id: 'probe-d', httpPort: 4104, mqttPort: 1887, seed: 44 },
];
const district = { id: 'district-1', httpPort: 4110, mqttPort: 1890 };
const BFF_PORT = 4000;
/** A fresh node token per run for each uplink probe; the district knows them as UPLINK_CHILDREN. */
const uplinkTokens = new Map(UPLINK_PROBES.map((id) => [id, randomBytes(24).toString('base64url')]));

const httpUrl = (port: number) => `http://${HOST}:${port}`;
const childList = (ids: string[]) =>
  ids.map((id) => `${id}=${httpUrl(probes.find((p) => p.id === id)!.httpPort)}`).join(',');

const probeSpec = (probe: Probe): ProcessSpec => ({
  name: probe.id,
  entry: 'apps/node/src/main.ts',
  env: {
    NODE_ID: probe.id,
    NODE_NAME: probe.id,
    HTTP_PORT: String(probe.httpPort),
    MQTT_PORT: String(probe.mqttPort),
    DATA_DIR: `.data/${probe.id}`,
    ...(uplinkTokens.has(probe.id) && {
      PARENT_UPLINK_URL: `ws://${HOST}:${district.httpPort}/uplink`,
      NODE_TOKEN: uplinkTokens.get(probe.id)!,
    }),
  },
  readyUrl: `${httpUrl(probe.httpPort)}/readyz`,
});

const districtSpec: ProcessSpec = {
  name: district.id,
  entry: 'apps/node/src/main.ts',
  env: {
    NODE_ID: district.id,
    NODE_NAME: 'District 1',
    HTTP_PORT: String(district.httpPort),
    MQTT_PORT: String(district.mqttPort),
    DATA_DIR: `.data/${district.id}`,
    // probe-c is dialled by the district; probe-a and probe-b dial the district's uplink.
    CHILDREN: childList(['probe-c']),
    UPLINK_CHILDREN: [...uplinkTokens].map(([id, token]) => `${id}=${token}`).join(','),
    // Under the BFF's 1500 ms; a budget sent by the BFF lowers it further.
    FEDERATION_DEADLINE_MS: '1200',
  },
  readyUrl: `${httpUrl(district.httpPort)}/readyz`,
};

const bffSpec: ProcessSpec = {
  name: 'bff',
  entry: 'apps/bff/src/main.ts',
  env: {
    HTTP_PORT: String(BFF_PORT),
    CHILDREN: `${district.id}=${httpUrl(district.httpPort)},${childList(['probe-d'])}`,
  },
  readyUrl: `${httpUrl(BFF_PORT)}/readyz`,
};

const simulatorSpec = (probe: Probe): ProcessSpec => ({
  name: `simulator-${probe.id}`,
  entry: 'apps/simulator/src/main.ts',
  args: [
    ['--url', `mqtt://${HOST}:${probe.mqttPort}`],
    ['--devices', String(DEVICES_PER_PROBE)],
    ['--rate', '0.5'],
    ['--seed', String(probe.seed)],
    ['--invalid-every', '500'],
  ].flat(),
  env: {},
});

function launch(spec: ProcessSpec): ChildProcess {
  // The child writes its log file itself, so its logging never depends on this process.
  const log = openSync(`${LOG_DIR}/${spec.name}.log`, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', spec.entry, ...(spec.args ?? [])], {
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  child.on('exit', (code, signal) => {
    if (!shuttingDown) {
      process.stderr.write(`${spec.name} exited (${signal ?? code}); see ${LOG_DIR}/${spec.name}.log\n`);
      void shutdown(1);
    }
  });
  children.push(child);
  return child;
}

async function waitUntilReady(spec: ProcessSpec, timeoutMs = 120_000): Promise<void> {
  if (!spec.readyUrl) return;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !shuttingDown) {
    try {
      const response = await fetch(spec.readyUrl);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`${spec.name} was not ready within ${timeoutMs / 1000} s; see ${LOG_DIR}/${spec.name}.log`);
}

/** Starts the processes together and waits until every one is ready. */
async function launchAll(specs: ProcessSpec[]): Promise<void> {
  for (const spec of specs) launch(spec);
  await Promise.all(specs.map((spec) => waitUntilReady(spec)));
}

let shuttingDown = false;
async function shutdown(exitCode: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  process.stderr.write('stopping…\n');
  for (const child of [...children].reverse()) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.race([
    Promise.all(
      children.map(
        (c) =>
          new Promise((resolve) =>
            c.exitCode !== null || c.signalCode !== null ? resolve(null) : c.on('exit', resolve),
          ),
      ),
    ),
    sleep(15_000),
  ]);
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  process.exit(exitCode);
}

async function main(): Promise<void> {
  mkdirSync(LOG_DIR, { recursive: true });
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  // PGlite takes seconds to start on a small machine: the leaves first, then each tier above them.
  process.stderr.write(
    `starting ${probes.map((p) => p.id).join(', ')} (embedded brokers, PGlite under .data/)…\n`,
  );
  await launchAll(probes.map(probeSpec));
  process.stderr.write(`starting ${district.id}…\n`);
  await launchAll([districtSpec]);
  process.stderr.write('starting the BFF…\n');
  await launchAll([bffSpec]);
  for (const probe of probes) launch(simulatorSpec(probe));

  const bff = httpUrl(BFF_PORT);
  const path = (p: Probe) => (p.id === 'probe-d' ? p.id : `${district.id}/${p.id}`);
  process.stdout.write(
    [
      '',
      'Tierscope is running.',
      `  BFF (console, tRPC):  ${bff}   try ${bff}/trpc/devices.list  ${bff}/trpc/node.info`,
      `  health, metrics:      ${bff}/healthz  ${bff}/metrics`,
      `  ${district.id}:           ${httpUrl(district.httpPort)}/trpc  (mqtt ${district.mqttPort}, no devices of its own)`,
      ...probes.map(
        (p) =>
          `  ${p.id} (${path(p)}): ${httpUrl(p.httpPort)}/trpc  mqtt://${HOST}:${p.mqttPort}  ${DEVICES_PER_PROBE} simulated devices`,
      ),
      `  ${UPLINK_PROBES.join(' and ')} dial ws://${HOST}:${district.httpPort}/uplink (tokens made for this run); the district has no URL for them`,
      '  device MQTT:          try: mosquitto_pub -p 1884 -t devices/x1/telemetry -m \'{"metrics":{"temp":21.5}}\'',
      `  logs:                 ${LOG_DIR}/`,
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  void shutdown(1);
});
