// The suite's network: one namespace per tier, joined by veth pairs on 10.213.0.0/16, plus a
// management link from the root namespace into each (the suite's own checks and clients use it;
// the scenarios never cut it). Cuts are a link set down; the slow link is a tbf rate limit (this
// kernel has no netem).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** Every namespace and root-side veth the suite creates starts with this, so leftovers are found. */
export const PREFIX = 'tsf-';

/** Runs a command; fails with its stderr. */
export async function sh(command: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await exec(command, args, { maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`${command} ${args.join(' ')}: ${stderr || String(error)}`, { cause: error });
  }
}

/** The prefix that runs a command inside `ns` (exec, so the pid stays the command's). */
export function inNamespace(ns: string): string[] {
  return ['ip', 'netns', 'exec', ns];
}

/** A point-to-point link: `a` end in namespace `aNs` (undefined = root), `b` end in `bNs`. */
export interface VethLink {
  name: string;
  a: { ns: string | undefined; dev: string; address: string };
  b: { ns: string | undefined; dev: string; address: string };
}

const ipIn = (ns: string | undefined, args: string[]): Promise<string> =>
  ns === undefined ? sh('ip', args) : sh('ip', ['-n', ns, ...args]);

export async function createNamespace(ns: string): Promise<void> {
  await sh('ip', ['netns', 'add', ns]);
  await ipIn(ns, ['link', 'set', 'lo', 'up']);
}

/** Creates the veth pair, moves each end into its namespace, addresses it (/30) and brings it up. */
export async function createLink(link: VethLink): Promise<void> {
  await sh('ip', ['link', 'add', link.a.dev, 'type', 'veth', 'peer', 'name', link.b.dev]);
  for (const end of [link.a, link.b]) {
    if (end.ns !== undefined) await sh('ip', ['link', 'set', end.dev, 'netns', end.ns]);
    await ipIn(end.ns, ['addr', 'add', `${end.address}/30`, 'dev', end.dev]);
    await ipIn(end.ns, ['link', 'set', end.dev, 'up']);
  }
}

/** Cuts the link (both ends down: packets are dropped, nothing is refused) or heals it. */
export async function setLinkUp(link: VethLink, up: boolean): Promise<void> {
  for (const end of [link.a, link.b]) await ipIn(end.ns, ['link', 'set', end.dev, up ? 'up' : 'down']);
}

/** Limits both directions of the link to `rate` (e.g. `1mbit`), or lifts the limit. */
export async function setLinkRate(link: VethLink, rate: string | undefined): Promise<void> {
  for (const end of [link.a, link.b]) {
    const tc = (args: string[]) =>
      end.ns === undefined ? sh('tc', args) : sh('ip', ['netns', 'exec', end.ns, 'tc', ...args]);
    if (rate === undefined) await tc(['qdisc', 'del', 'dev', end.dev, 'root']);
    else
      await tc([
        'qdisc',
        'add',
        'dev',
        end.dev,
        'root',
        'tbf',
        'rate',
        rate,
        'burst',
        '32kbit',
        'latency',
        '400ms',
      ]);
  }
}

/** Pids of every process running in `ns`. */
export async function pidsIn(ns: string): Promise<number[]> {
  const out = await sh('ip', ['netns', 'pids', ns]).catch(() => '');
  return out
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}

/**
 * Removes every namespace and root-side veth named with PREFIX, killing what still runs inside
 * (a crashed earlier run, or this one's teardown). Deleting a namespace deletes its veth ends,
 * and a veth pair goes with either end.
 */
export async function removeSuiteNetwork(): Promise<string[]> {
  const removed: string[] = [];
  const namespaces = (await sh('ip', ['netns', 'list']))
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((ns) => ns.startsWith(PREFIX));
  for (const ns of namespaces) {
    for (const pid of await pidsIn(ns)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    await waitUntil(async () => (await pidsIn(ns)).length === 0, 5000);
    await sh('ip', ['netns', 'del', ns]);
    removed.push(`netns ${ns}`);
  }
  const links = (await sh('ip', ['-o', 'link', 'show']))
    .split('\n')
    .map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1] ?? '')
    .filter((dev) => dev.startsWith(PREFIX));
  for (const dev of links) {
    await sh('ip', ['link', 'del', dev]).catch(() => undefined);
    removed.push(`link ${dev}`);
  }
  return removed;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !(await check())) await new Promise((r) => setTimeout(r, 100));
}
