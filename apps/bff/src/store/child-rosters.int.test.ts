import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  JOB_SELECTOR_KEEP_MS,
  sqlChildRosterStore,
  sqlJobSelectorStore,
  type ChildRoster,
} from '@tierscope/federation';
import { CommandSelector } from '@tierscope/shared';
import { testDatabaseBackends, type TestDatabase } from '@tierscope/test-support/test-databases';
import { openBffStore, type BffStore } from './client.ts';
import { migrateBffStore } from './migrate.ts';

/** A roster of `count` devices of probe-c, read at `syncedAt`. */
const roster = (syncedAt: number, count: number): ChildRoster => ({
  syncedAt,
  devices: Array.from({ length: count }, (_, i) => ({
    id: `c-m${i}`,
    nodePath: 'probe-c',
    kind: 'power-meter',
    site: 'north',
    labels: { floor: String(i % 3) },
    status: i % 2 === 0 ? 'online' : 'offline',
  })),
});

describe.each(testDatabaseBackends())("children's rosters kept in the BFF database ($name)", (backend) => {
  let database: TestDatabase;
  let store: BffStore;
  const exec = (text: string, params?: readonly unknown[]) => store.exec(text, params);

  beforeAll(async () => {
    database = await backend.create();
    store = await openBffStore(database.url);
    await migrateBffStore(store);
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it('replaces a child roster whole and reads every child back, as a restarted tier does', async () => {
    const rosters = sqlChildRosterStore(exec);
    await rosters.save('probe-c', roster(1_000, 250));
    await rosters.save('district-1', roster(1_500, 3));
    await rosters.save('probe-c', roster(2_000, 251));
    const loaded = await sqlChildRosterStore(exec).loadAll();
    expect([...loaded.keys()].sort()).toEqual(['district-1', 'probe-c']);
    expect(loaded.get('probe-c')).toEqual(roster(2_000, 251));
  });

  it("keeps a job's selector by id for a week, the first one given", async () => {
    const selectors = sqlJobSelectorStore(exec);
    const bySite = CommandSelector.parse({ site: 'north', label: 'floor=1' });
    await selectors.save('job-00000001', bySite, 10_000);
    await selectors.save('job-00000001', CommandSelector.parse({ kind: 'other' }), 10_001);
    expect(await selectors.get('job-00000001')).toEqual(bySite);
    expect(await selectors.get('job-00000002')).toBeUndefined();
    // A save a week later drops it.
    await selectors.save('job-00000003', bySite, 10_001 + JOB_SELECTOR_KEEP_MS);
    expect(await selectors.get('job-00000001')).toBeUndefined();
    expect(await selectors.get('job-00000003')).toEqual(bySite);
  });
});
