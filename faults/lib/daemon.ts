// Mosquitto and HAProxy as the suite's children, each in a tier's namespace, in the foreground so
// a scenario can restart them and the teardown can stop them.
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@tierscope/test-support/processes';
import { haproxyConfig } from '@tierscope/test-support/haproxy';
import { inNamespace } from './netns.ts';

const TAIL_CHARS = 4000;

export interface Daemon {
  name: string;
  alive(): boolean;
  output(): string;
  /** SIGTERM, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Runs `command args` inside `ns`, output kept (the last few KiB) for failure messages. */
export function startDaemon(
  name: string,
  ns: string,
  command: string,
  args: readonly string[],
  logFile: string,
): Daemon {
  const [wrapper, ...wrapperArgs] = inNamespace(ns);
  const child = spawn(wrapper!, [...wrapperArgs, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString()).slice(-TAIL_CHARS);
    appendFileSync(logFile, chunk);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    name,
    alive,
    output: () => tail,
    stop: async (graceMs = 10_000) => {
      if (!alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Mosquitto with the repo's node configuration (deploy/mosquitto/mosquitto.conf: raised queues,
 * persistence), listening on every address of its namespace, its data in `dir`.
 */
export function startMosquitto(ns: string, dir: string, port: number, logFile: string): Daemon {
  const source = readFileSync(join(REPO_ROOT, 'deploy/mosquitto/mosquitto.conf'), 'utf8');
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(
    config,
    source
      .replace(/^listener \d+ .*$/m, `listener ${port}`)
      .replace(/^persistence_location .*$/m, `persistence_location ${dir}/`) +
      // As root it would switch to the "mosquitto" user, which may not write `dir`.
      `\nuser root\nlog_dest stderr\n`,
  );
  return startDaemon('mosquitto', ns, '/usr/sbin/mosquitto', ['-c', config], logFile);
}

/**
 * HAProxy in front of the BFF replicas: health-checked on /readyz, and a request that found a
 * replica gone (refused, reset, or closed without an answer) is sent again to another one.
 */
export function startHaproxy(
  ns: string,
  dir: string,
  port: number,
  replicas: readonly number[],
  logFile: string,
): Daemon {
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(
    config,
    haproxyConfig({
      bind: `*:${port}`,
      servers: replicas.map((replicaPort, i) => ({
        name: `bff-${i + 1}`,
        address: `127.0.0.1:${replicaPort}`,
      })),
      logToStderr: true,
    }),
  );
  return startDaemon('haproxy', ns, 'haproxy', ['-db', '-f', config], logFile);
}
