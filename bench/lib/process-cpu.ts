// CPU time used by processes (user + system, ms), to say what a query costs the machine as a whole,
// not only how long its caller waited.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pidusage from 'pidusage';

const run = promisify(execFile);

/** CPU ms each pid has used since it started (missing when the process is gone). */
export async function cpuMsOf(pids: readonly number[]): Promise<Map<number, number>> {
  if (pids.length === 0) return new Map();
  const stats = await pidusage([...pids]);
  return new Map(Object.values(stats).map((s) => [s.pid, s.ctime]));
}

/** The pids of every process running `command` (e.g. the PostgreSQL backends), or none. */
export async function pidsOfCommand(command: string): Promise<number[]> {
  const { stdout } = await run('ps', ['-C', command, '-o', 'pid=']).catch(() => ({ stdout: '' }));
  return stdout
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}

/** CPU ms used by groups of processes between `start` and `stop` (groups are named pid lists). */
export async function cpuBetween<G extends string>(
  groups: Record<G, readonly number[]>,
  work: () => Promise<void>,
): Promise<Record<G, number>> {
  const all = Object.values<readonly number[]>(groups).flat();
  const before = await cpuMsOf(all);
  await work();
  const after = await cpuMsOf(all);
  const used = {} as Record<G, number>;
  for (const [group, pids] of Object.entries(groups) as [G, readonly number[]][]) {
    used[group] = pids.reduce(
      (sum, pid) => sum + Math.max(0, (after.get(pid) ?? 0) - (before.get(pid) ?? 0)),
      0,
    );
  }
  return used;
}
