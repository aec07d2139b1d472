import type { ChildRoster, ChildRosterStore } from '../query/child-rosters.ts';

/** A ChildRosterStore over a Map, standing in for the tier's database: a new ChildRosters can load it. */
export function memoryChildRosterStore(): ChildRosterStore & { saves: number } {
  const rows = new Map<string, ChildRoster>();
  const store = {
    saves: 0,
    save: (childId: string, roster: ChildRoster) => {
      store.saves += 1;
      rows.set(childId, structuredClone(roster));
      return Promise.resolve();
    },
    loadAll: () => Promise.resolve(new Map(rows)),
  };
  return store;
}
