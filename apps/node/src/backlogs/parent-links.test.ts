import { describe, expect, it } from 'vitest';
import { memoryChangeLog } from '../testing/change-log.ts';
import { ParentLinks } from './parent-links.ts';

const uplink = { key: 'uplink', label: 'district:4110', via: 'uplink' as const };

/** Links to the uplink parent over a change log made at `times`, on a clock the test sets. */
async function loadedLinks(times: number[]) {
  const clock = { now: 0 };
  const links = new ParentLinks({
    parents: [uplink],
    awayAfterMs: 5000,
    changes: memoryChangeLog(times),
    now: () => clock.now,
  });
  await links.load();
  return { links, clock };
}

describe('ParentLinks', () => {
  it('owes a parent that keeps calling nothing, whatever changes', async () => {
    const times = [0];
    const { links, clock } = await loadedLinks(times);
    clock.now = 1000;
    links.heard('uplink');
    times.push(1500);
    links.changed(2);
    clock.now = 2000;
    expect(await links.read()).toEqual([
      { parent: uplink, lastHeardAt: 1000, away: false, depth: 0, oldestAt: null, drainedTotal: 0 },
    ]);
  });

  it('owes an away parent every change made since it last called, and counts them drained when it is back', async () => {
    const times = [0, 100];
    const { links, clock } = await loadedLinks(times);
    clock.now = 1000;
    links.heard('uplink');
    times.push(3000, 4000);
    links.changed(4);
    clock.now = 6000;
    expect(await links.read()).toMatchObject([{ away: true, depth: 2, oldestAt: 3000, drainedTotal: 0 }]);
    clock.now = 7000;
    links.heard('uplink');
    expect(await links.read()).toMatchObject([{ away: false, depth: 0, drainedTotal: 2, lastHeardAt: 7000 }]);
  });

  it('counts a parent never heard since the start as away once the away period has passed', async () => {
    const times: number[] = [];
    const { links, clock } = await loadedLinks(times);
    times.push(2000);
    clock.now = 5000;
    expect(await links.read()).toMatchObject([{ away: true, depth: 1, lastHeardAt: null }]);
  });
});
