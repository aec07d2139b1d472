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

/**
 * The configuration of an HTTP load balancer in front of `servers` (the README's, plus an
 * `x-served-by` answer header naming the server): round robin, a server that refuses a connection
 * is skipped at once (redispatch) and marked down by its /livez check, the client's address goes
 * on in X-Forwarded-For, and long-lived answers (server-sent events) are not cut by a timeout.
 */
export function haproxyConfig(port: number, servers: ReadonlyArray<{ name: string; port: number }>): string {
  return [
    'global',
    '  maxconn 512',
    'defaults',
    '  mode http',
    '  option forwardfor',
    '  option redispatch',
    '  retries 3',
    '  timeout connect 2s',
    '  timeout client 1h',
    '  timeout server 1h',
    '  timeout tunnel 1h',
    'frontend console',
    `  bind 127.0.0.1:${port}`,
    '  default_backend bff',
    'backend bff',
    '  balance roundrobin',
    '  option httpchk GET /livez',
    // Tells a test which replica answered (a live stream's included), so it can kill that one.
    '  http-response set-header X-Served-By %s',
    ...servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} check inter 500 fall 2 rise 2`),
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
  writeFileSync(configFile, haproxyConfig(port, servers));
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
