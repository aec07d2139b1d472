import type { RawExecutor, NodeStore } from './client.ts';

const DAY_MS = 24 * 3600 * 1000;

/** The UTC day (epoch ms at midnight) a sample at `ts` falls in. */
export function dayOf(ts: number): number {
  return Math.floor(ts / DAY_MS) * DAY_MS;
}

/** `samples_20240131` for the day starting at `day`. */
export function partitionName(day: number): string {
  return `samples_${new Date(day).toISOString().slice(0, 10).replaceAll('-', '')}`;
}

/** The day a partition name stands for, or undefined when the name is not a day partition. */
export function partitionDay(name: string): number | undefined {
  const match = /^samples_(\d{4})(\d{2})(\d{2})$/.exec(name);
  if (!match) return undefined;
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
}

// Which day partitions exist, per store: a batch only pays for a catalog round trip on a new day.
const known = new WeakMap<NodeStore, Set<number>>();

function knownDays(store: NodeStore): Set<number> {
  let days = known.get(store);
  if (!days) {
    days = new Set();
    known.set(store, days);
  }
  return days;
}

/** Creates the day partitions that `days` need and the cache does not know about. */
export async function ensureSamplePartitions(store: NodeStore, days: Iterable<number>): Promise<void> {
  const cache = knownDays(store);
  for (const day of days) {
    if (cache.has(day)) continue;
    await createPartition(store, day);
    cache.add(day);
  }
}

async function createPartition(executor: RawExecutor, day: number): Promise<void> {
  const from = new Date(day).toISOString();
  const to = new Date(day + DAY_MS).toISOString();
  try {
    await executor.exec(
      `CREATE TABLE IF NOT EXISTS "${partitionName(day)}" PARTITION OF samples FOR VALUES FROM ('${from}') TO ('${to}')`,
    );
  } catch (error) {
    // Two writers racing to create the same day: the loser sees a duplicate; the partition exists.
    if (!isDuplicate(error)) throw error;
  }
}

function isDuplicate(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '42P07' || code === '23505';
}

/** Every day partition of samples, oldest first. */
export async function listSamplePartitions(store: NodeStore): Promise<Array<{ name: string; day: number }>> {
  const rows = await store.exec<{ name: string }>(
    `select c.relname as name from pg_inherits i
       join pg_class c on c.oid = i.inhrelid
       join pg_class p on p.oid = i.inhparent
      where p.relname = 'samples' order by c.relname`,
  );
  return rows.flatMap(({ name }) => {
    const day = partitionDay(name);
    return day === undefined ? [] : [{ name, day }];
  });
}

/** Drops one day partition and forgets it, so a late sample for that day recreates it. */
export async function dropSamplePartition(store: NodeStore, name: string): Promise<void> {
  const day = partitionDay(name);
  if (day === undefined) throw new Error(`not a samples day partition: ${name}`);
  await store.exec(`DROP TABLE IF EXISTS "${name}"`);
  knownDays(store).delete(day);
}

/** Forgets every cached partition, e.g. after an insert found one missing. */
export function forgetSamplePartitions(store: NodeStore): void {
  known.delete(store);
}

/** PostgreSQL's "no partition of relation found for row". */
export function isMissingPartition(error: unknown): boolean {
  return (
    (error as { code?: unknown }).code === '23514' && /no partition/i.test(String((error as Error).message))
  );
}
