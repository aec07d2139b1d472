// The one launcher for tier processes: tests, benches, e2e and `npm start` spawn nodes, the BFF and
// simulators through it, and wait on them with deadlines that hold even while a probe hangs.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { APP_BUNDLES, bundleStaleness, type AppBundle } from './app-bundles.ts';

/** The repository root, where every process is started. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The server apps' entries (spawned, never imported): from source, or their bundles once chosen. */
export const NODE_MAIN: AppBundle = APP_BUNDLES.node;
export const BFF_MAIN: AppBundle = APP_BUNDLES.bff;
export const SIMULATOR_MAIN: AppBundle = APP_BUNDLES.simulator;
/** What a process runs: a TypeScript file (through tsx), or a server app (from source or its bundle). */
export type Entry = string | AppBundle;
/**
 * Node flags for a bundle: stack traces name the TypeScript source (decision 23). The maps are
 * read only when an error's stack is formatted, so they cost nothing until then.
 */
const BUNDLE_FLAGS: readonly string[] = ['--enable-source-maps'];

let runBundles = false;
/**
 * From now on the server apps this process launches run from their production bundles
 * (`npm run build`, decision 23) instead of from source through tsx: `npm start` and the benches
 * choose this. Fails, naming the cause, if a bundle is missing or older than a source it was built
 * from, so nothing runs stale code.
 */
export function launchBundles(): void {
  const stale = Object.values(APP_BUNDLES).flatMap((bundle) => bundleStaleness(REPO_ROOT, bundle) ?? []);
  if (stale.length > 0) throw new Error(`${stale.join('; ')}: run \`npm run build\``);
  runBundles = true;
}

/** The node arguments that run `entry`: its bundle when chosen, else its source through tsx. */
export function entryArgs(entry: Entry): string[] {
  if (typeof entry !== 'string' && runBundles) return [...BUNDLE_FLAGS, entry.bundle];
  return ['--import', 'tsx', typeof entry === 'string' ? entry : entry.source];
}
/**
 * The V8 flags a tier node is started with, as apps/node/src/ingest/node-flags.ts names them
 * (docs/decisions/0013-node-heap-limit.md); packages import nothing from an app, so they are repeated.
 */
export const NODE_V8_FLAGS: readonly string[] = ['--max-old-space-size=1024', '--max-semi-space-size=1'];
/** How much of a process's latest output a failure message carries. */
const OUTPUT_TAIL_CHARS = 8000;
/** How long one /readyz request may take before the wait abandons it and asks again. */
const READY_PROBE_TIMEOUT_MS = 5000;
/** How long one probe of `waitFor` may take by default before it is abandoned and tried again. */
const PROBE_TIMEOUT_MS = 10_000;

/**
 * Ports handed out by `freePort`: below Linux's ephemeral range (32768–60999), where outgoing
 * connections never take them. A port the OS picked with listen(0) comes from that range, and
 * between closing it and the tier binding it, a client socket (to PostgreSQL, say) could take it:
 * CI saw EADDRINUSE from exactly that.
 */
const HANDED_OUT_PORTS = { first: 20_000, last: 32_767 } as const;
const handedOutSpan = HANDED_OUT_PORTS.last - HANDED_OUT_PORTS.first + 1;
/** Each process walks the range from its own random start, so it never hands out a port twice. */
let nextPortOffset = Math.floor(Math.random() * handedOutSpan);

/** A port outside the ephemeral range that nothing listens on right now (on any address). */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < handedOutSpan; tries++) {
    const port = HANDED_OUT_PORTS.first + (nextPortOffset % handedOutSpan);
    nextPortOffset += 1;
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${HANDED_OUT_PORTS.first} and ${HANDED_OUT_PORTS.last}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    // Tiers listen on every address, so the check does too.
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedProcess {
  name: string;
  pid: number;
  /** The last few KiB the process printed, for failure messages. */
  output(): string;
  /** Whether the process has not exited yet. */
  alive(): boolean;
  /** Resolves when the process has exited, however it ended. */
  exited: Promise<ExitStatus>;
  /** Sends `signal` if the process is still running (SIGSTOP and SIGCONT too). */
  signal(signal: NodeJS.Signals): void;
  /**
   * Sends `signal` (after a SIGCONT, so a stopped process can act on it) and waits for the exit;
   * SIGKILL after `graceMs` (default 10 s). Resolves how the process ended; once it has, at once.
   */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<ExitStatus>;
}

export interface SpawnOptions {
  /** Names the process in progress lines and failure messages. */
  name: string;
  /**
   * What runs: a TypeScript file (`node --import tsx`, by path from the repository root or
   * absolute), or a server app, from its source or its bundle (`launchBundles`).
   */
  entry: Entry;
  /** Arguments after the entry. */
  args?: readonly string[];
  /** Added to this process's environment (with LOG_LEVEL=warn unless given). */
  env?: Record<string, string>;
  /** Node flags before the entry, e.g. NODE_V8_FLAGS or `--cpu-prof`. */
  flags?: readonly string[];
  /**
   * The process appends its output to this file itself, so its logging never depends on this
   * process (`npm start` and e2e keep a log per process). Without it the output is piped and kept.
   */
  logFile?: string;
  /** Called with each piece of piped output, e.g. to echo it to stderr. */
  onOutput?: (text: string) => void;
  /**
   * A command that runs node in its place and execs it, e.g. `['ip', 'netns', 'exec', 'ts-probe']`
   * (the fault suite runs each tier in its own network namespace). It must exec, not fork, so that
   * the pid and the signals are node's.
   */
  wrapper?: readonly string[];
}

/** Spawns `node [flags] --import tsx <entry> [args]` (or `node [flags] <bundle> [args]`) from the repository root. */
export function spawnProcess(options: SpawnOptions): SpawnedProcess {
  const { name, logFile } = options;
  const logStart = logFile ? sizeOf(logFile) : 0;
  const logFd = logFile ? openSync(logFile, 'a') : undefined;
  let child: ChildProcess;
  const nodeArgs = [...(options.flags ?? []), ...entryArgs(options.entry), ...(options.args ?? [])];
  const [command = process.execPath, ...wrapperArgs] = [...(options.wrapper ?? []), process.execPath];
  try {
    child = spawn(command, [...wrapperArgs, ...nodeArgs], {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...options.env },
      stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'],
    });
  } finally {
    if (logFd !== undefined) closeSync(logFd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} did not start`);

  let piped = '';
  const keep = (chunk: Buffer): void => {
    const text = chunk.toString();
    piped = (piped + text).slice(-OUTPUT_TAIL_CHARS);
    options.onOutput?.(text);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<ExitStatus>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const send = (signal: NodeJS.Signals): void => {
    if (alive()) child.kill(signal);
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<ExitStatus> => {
    if (!alive()) return exited;
    send('SIGCONT');
    send(signal);
    const timer = setTimeout(() => send('SIGKILL'), graceMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    name,
    pid,
    output: () => (logFile ? tailOf(logFile, logStart) : piped),
    alive,
    exited,
    signal: send,
    stop,
  };
}

export interface TierProcess extends SpawnedProcess {
  /** `http://127.0.0.1:<port>`, or https with TLS_CERT_FILE */
  url: string;
  port: number;
}

export type TierSpawnOptions = Omit<SpawnOptions, 'name' | 'entry' | 'env'>;

/**
 * Spawns a tier (an app's main.ts) with `env` on its own HTTP port (`HTTP_PORT`, a free one unless
 * given). Wait for it with `waitReady`.
 */
export async function spawnTier(
  name: string,
  entry: Entry,
  env: Record<string, string>,
  options: TierSpawnOptions = {},
): Promise<TierProcess> {
  const port = Number(env.HTTP_PORT ?? (await freePort()));
  const spawned = spawnProcess({ ...options, name, entry, env: { ...env, HTTP_PORT: String(port) } });
  const scheme = env.TLS_CERT_FILE ? 'https' : 'http';
  return { ...spawned, url: `${scheme}://127.0.0.1:${port}`, port };
}

export interface NodeProcess extends TierProcess {
  id: string;
  /** Where its devices publish: MQTT_URL when given, else its embedded broker. */
  mqttUrl: string;
}

/**
 * A tier node (apps/node/src/main.ts), started as a node is meant to be (NODE_V8_FLAGS first) with
 * NODE_ID `id` and, unless `env` names a broker (MQTT_URL) or a port (MQTT_PORT), its embedded broker
 * on a free port. Everything else (DATABASE_URL, DATA_DIR, CHILDREN, …) comes from `env`.
 */
export async function spawnNode(
  id: string,
  env: Record<string, string> = {},
  options: TierSpawnOptions = {},
): Promise<NodeProcess> {
  const mqttPort = env.MQTT_PORT ?? String(await freePort());
  const tier = await spawnTier(
    id,
    NODE_MAIN,
    { NODE_ID: id, MQTT_PORT: mqttPort, ...env },
    { ...options, flags: [...NODE_V8_FLAGS, ...(options.flags ?? [])] },
  );
  const embedded = env.MQTTS_PORT ? `mqtts://127.0.0.1:${env.MQTTS_PORT}` : `mqtt://127.0.0.1:${mqttPort}`;
  return { ...tier, id, mqttUrl: env.MQTT_URL || embedded };
}

export interface WaitOptions {
  /** The wait fails after this long, also while a probe is still outstanding. Default 30 s. */
  timeoutMs?: number;
  /** Pause between probes. Default 50 ms. */
  pollMs?: number;
  /**
   * How long one probe may take: its signal aborts then, and the wait asks again. A probe that
   * fails because its signal aborted counts as "not yet"; any other error fails the wait.
   */
  probeTimeoutMs?: number;
  /** Aborting fails the wait at once. */
  signal?: AbortSignal;
  /** Processes the wait depends on: if one exits, the wait fails at once, with its output. */
  processes?: readonly SpawnedProcess[];
}

/**
 * Polls `probe` until it returns true; fails with `what` once `timeoutMs` (a number, or in the
 * options) has passed. Each probe gets a signal that aborts when the probe's own time or the wait's
 * deadline runs out: pass it to every request the probe makes.
 */
export async function waitFor(
  what: string,
  probe: (signal: AbortSignal) => Promise<boolean>,
  options: number | WaitOptions = {},
): Promise<void> {
  const {
    timeoutMs = 30_000,
    pollMs = 50,
    probeTimeoutMs = PROBE_TIMEOUT_MS,
    signal: outer,
    processes = [],
  } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = AbortSignal.timeout(timeoutMs);
  const stopWait = new AbortController();
  // Settles (rejects) as soon as the wait must end without success: deadline, abort, a process exit.
  const failed = new Promise<never>((_, reject) => {
    const fail = (message: string, output?: SpawnedProcess): void =>
      reject(new Error(output ? withOutput(message, output) : message));
    deadline.addEventListener('abort', () => fail(`timed out after ${timeoutMs} ms waiting for ${what}`));
    outer?.addEventListener('abort', () => fail(`stopped waiting for ${what}: ${String(outer.reason)}`));
    if (outer?.aborted) fail(`stopped waiting for ${what}: ${String(outer.reason)}`);
    for (const spawned of processes)
      void spawned.exited.then((status) =>
        fail(`${spawned.name} exited (${describeExit(status)}) while waiting for ${what}`, spawned),
      );
  });
  failed.catch(() => undefined);
  let lastTimedOut = false;
  try {
    for (;;) {
      const probeSignal = AbortSignal.any([AbortSignal.timeout(probeTimeoutMs), deadline, stopWait.signal]);
      const probeTimedOut = new Promise<'timed out'>((resolve) =>
        probeSignal.addEventListener('abort', () => resolve('timed out'), { once: true }),
      );
      const attempt = probe(probeSignal);
      // A probe that ignores its signal may settle later: nobody is waiting for it then.
      attempt.catch(() => undefined);
      const result = await Promise.race([
        attempt.catch((error: unknown) => {
          if (probeSignal.aborted) return 'timed out' as const;
          throw error;
        }),
        probeTimedOut,
        failed,
      ]);
      if (result === true) return;
      lastTimedOut = result === 'timed out';
      await Promise.race([sleep(pollMs), failed]);
    }
  } catch (error) {
    if (lastTimedOut && error instanceof Error && deadline.aborted)
      error.message += ` (the last probe had no answer within ${probeTimeoutMs} ms)`;
    throw error;
  } finally {
    stopWait.abort();
  }
}

/**
 * Waits for `<url>/readyz` to answer 200. Fails at once, with the process's recent output, when the
 * process exits first; fails with the last answer and the output when `timeoutMs` passes.
 */
export async function waitReady(
  tier: TierProcess,
  timeoutMs = 60_000,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  let last = 'no answer yet';
  try {
    await waitFor(
      `${tier.name} ready`,
      async (signal) => {
        const response = await fetch(`${tier.url}/readyz`, { signal }).catch((error: unknown) => {
          if (signal.aborted) throw error;
          // fetch says "fetch failed"; its cause says why (ECONNREFUSED while the server starts).
          last = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
          return undefined;
        });
        if (response && !response.ok)
          last = `HTTP ${response.status} ${(await response.text().catch(() => '')).slice(0, 300)}`;
        return response?.ok === true;
      },
      {
        timeoutMs,
        pollMs: 100,
        probeTimeoutMs: READY_PROBE_TIMEOUT_MS,
        processes: [tier],
        ...(options.signal && { signal: options.signal }),
      },
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // An exit already carries the output.
    if (!tier.alive() || options.signal?.aborted) throw error;
    throw new Error(withOutput(`${message}; last /readyz: ${last}`, tier), { cause: error });
  }
}

function withOutput(message: string, spawned: SpawnedProcess): string {
  const output = spawned.output().trimEnd();
  return `${message}\n--- ${spawned.name}'s recent output ---\n${output || '(nothing)'}`;
}

function describeExit({ code, signal }: ExitStatus): string {
  return signal ? `signal ${signal}` : `code ${code}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The last OUTPUT_TAIL_CHARS bytes written to `file` after `from`. */
function tailOf(file: string, from: number): string {
  const size = sizeOf(file);
  const start = Math.max(from, size - OUTPUT_TAIL_CHARS);
  if (size <= start) return '';
  const buffer = Buffer.alloc(size - start);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, start);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8');
}
