// A real reverse proxy for tests that run a tier as several replicas: Debian's HAProxy, configured
// as the README shows, started in the foreground on a free loopback port and stopped by the test.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, waitFor } from './processes.ts';

/** Where Debian's `haproxy` package puts the binary (`apt-get install haproxy`). */
export const HAPROXY_BIN = '/usr/sbin/haproxy';

export interface Haproxy {
  /** `http://127.0.0.1:<port>`: the replicas' one address. */
  url: string;
  port: number;
  /** What HAProxy printed (it logs server state changes to stderr). */
  output(): string;
  /** Stops HAProxy and waits for it to exit; once it has, at once. */
  stop(): Promise<void>;
}

export interface HaproxyConfigOptions {
  /** Where it listens: `127.0.0.1:4000`, `*:4000`. */
  bind: string;
  servers: ReadonlyArray<{ name: string; address: string }>;
  /** An `X-Served-By` answer header naming the server: a test kills the one serving a stream. */
  servedByHeader?: boolean;
  /** Its request log on stderr (the fault suite keeps it with its logs). */
  logToStderr?: boolean;
}

/**
 * The load balancer in front of BFF replicas, as the README shows it and as the replica test and
 * the fault suite run it. No stickiness: round robin, a replica taken out while its /readyz fails.
 * A request that found a replica gone (refused, reset, closed without an answer) is sent to another
 * one; an answer a replica gave (a 503 naming an unreachable node) is never retried. Idle
 * keep-alive outlasts a client's (undici: 4 s), so no request meets a connection being closed; live
 * alert streams (server-sent events) are not cut by a timeout.
 */
export function haproxyConfig(options: HaproxyConfigOptions): string {
  const log = options.logToStderr === true;
  return [
    'global',
    '  maxconn 2000',
    ...(log ? ['  log stderr format raw local0 info'] : []),
    'defaults',
    '  mode http',
    ...(log ? ['  log global', '  option httplog'] : []),
    '  option forwardfor',
    '  timeout connect 2s',
    '  timeout client 1h',
    '  timeout server 1h',
    '  timeout tunnel 1h',
    '  timeout http-keep-alive 10s',
    '  retries 3',
    '  option redispatch 1',
    '  retry-on conn-failure empty-response junk-response',
    '  option http-buffer-request',
    'frontend console',
    `  bind ${options.bind}`,
    '  default_backend bff',
    'backend bff',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  default-server inter 500ms fall 2 rise 2',
    ...(options.servedByHeader === true ? ['  http-response set-header X-Served-By %s'] : []),
    ...options.servers.map((s) => `  server ${s.name} ${s.address} check`),
    '',
  ].join('\n');
}

/** Starts HAProxy in front of `servers` with its config under `dir`; resolves once it accepts connections. */
export async function startHaproxy(
  dir: string,
  servers: ReadonlyArray<{ name: string; port: number }>,
): Promise<Haproxy> {
  if (!existsSync(HAPROXY_BIN))
    throw new Error(`${HAPROXY_BIN} is missing: apt-get install -y haproxy (the replica tests need it)`);
  const port = await freePort();
  const configFile = join(dir, 'haproxy.cfg');
  writeFileSync(
    configFile,
    haproxyConfig({
      bind: `127.0.0.1:${port}`,
      servers: servers.map((s) => ({ name: s.name, address: `127.0.0.1:${s.port}` })),
      servedByHeader: true,
    }),
  );
  // -db: stay in the foreground, so this process owns it and it dies with a SIGTERM.
  const child = spawn(HAPROXY_BIN, ['-db', '-f', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (!alive()) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitFor(
      'haproxy listening',
      async () => {
        if (!alive()) throw new Error(`haproxy exited: ${output}`);
        return accepts(port);
      },
      10_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, port, output: () => output, stop };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
