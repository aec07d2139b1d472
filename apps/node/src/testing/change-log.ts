import type { ChangeLog } from '../backlogs/parent-links.ts';

/** A change log in memory: change n (seq n, from 1) was made at `times[n - 1]`; push to add one. */
export function memoryChangeLog(times: number[]): ChangeLog {
  return {
    lastChangeSeq: async () => times.length,
    changesPendingAfter: async (seq) => {
      const after = times.slice(seq);
      return { count: after.length, oldestAt: after[0] ?? null };
    },
  };
}
