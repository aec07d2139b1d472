// `npm start`: a whole small deployment on this machine with no configuration — each tier a real
// process on its embedded broker and PGlite, plus the device simulator publishing over MQTT.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

interface ProcessSpec {
  name: string;
  entry: string;
  args?: string[];
  env: Record<string, string>;
  /** An HTTP URL that answers 200 once the process is ready. */
  readyUrl?: string;
}

const LOG_DIR = '.data/logs';
const children: ChildProcess[] = [];

const probe: ProcessSpec = {
  name: 'probe-1',
  entry: 'apps/node/src/main.ts',
  env: { NODE_ID: 'probe-1', NODE_NAME: 'Probe 1', HTTP_PORT: '4101', MQTT_PORT: '1884' },
  readyUrl: 'http://127.0.0.1:4101/readyz',
};

const simulator: ProcessSpec = {
  name: 'simulator',
  entry: 'apps/simulator/src/main.ts',
  args: ['--url', 'mqtt://127.0.0.1:1884', '--devices', '120', '--rate', '1', '--invalid-every', '500'],
  env: {},
};

function launch(spec: ProcessSpec): ChildProcess {
  const log = createWriteStream(`${LOG_DIR}/${spec.name}.log`, { flags: 'a' });
  const child = spawn(process.execPath, ['--import', 'tsx', spec.entry, ...(spec.args ?? [])], {
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  child.on('exit', (code, signal) => {
    if (!shuttingDown) {
      process.stderr.write(`${spec.name} exited (${signal ?? code}); see ${LOG_DIR}/${spec.name}.log\n`);
      void shutdown(1);
    }
  });
  children.push(child);
  return child;
}

async function waitUntilReady(spec: ProcessSpec, timeoutMs = 60_000): Promise<void> {
  if (!spec.readyUrl) return;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
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

let shuttingDown = false;
async function shutdown(exitCode: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  process.stderr.write('stopping…\n');
  for (const child of [...children].reverse()) child.kill('SIGTERM');
  await Promise.race([
    Promise.all(children.map((c) => new Promise((resolve) => (c.exitCode !== null ? resolve(null) : c.on('exit', resolve))))),
    sleep(15_000),
  ]);
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  process.exit(exitCode);
}

async function main(): Promise<void> {
  mkdirSync(LOG_DIR, { recursive: true });
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  process.stderr.write('starting probe-1 (embedded MQTT broker on 1884, PGlite under .data/probe-1)…\n');
  launch(probe);
  await waitUntilReady(probe);
  launch(simulator);

  process.stdout.write(
    [
      '',
      'Tierscope is running.',
      '  node API (tRPC):   http://127.0.0.1:4101/trpc/node.info',
      '  devices:           http://127.0.0.1:4101/trpc/devices.list',
      '  health, metrics:   http://127.0.0.1:4101/readyz  http://127.0.0.1:4101/metrics',
      '  device MQTT:       mqtt://127.0.0.1:1884  (try: mosquitto_pub -p 1884 -t devices/x1/telemetry -m \'{"metrics":{"temp":21.5}}\')',
      `  logs:              ${LOG_DIR}/`,
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  void shutdown(1);
});
