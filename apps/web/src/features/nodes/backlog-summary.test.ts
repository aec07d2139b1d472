import type { Backlog, NodeBacklogs } from '@tierscope/shared/schemas';
import { describe, expect, it } from 'vitest';
import { backlogRowsOf, backlogTotal, describeBacklog, trendTone } from './backlog-summary.ts';

const empty: Backlog = { depth: 0, oldestAgeMs: null, drainPerSec: 0, etaMs: null, trend: 'empty' };
const backlogs: NodeBacklogs = {
  ingest: { depth: 3, oldestAgeMs: 200, drainPerSec: 900, etaMs: 3, trend: 'draining' },
  webhooks: [
    { webhookId: 'ops', depth: 12, oldestAgeMs: 30_000, drainPerSec: 0, etaMs: null, trend: 'stalled' },
  ],
  parents: [
    { ...empty, parent: '127.0.0.1:4110', via: 'uplink', lastHeardAt: 1000, away: false },
    { ...empty, parent: 'dialling parent', via: 'dialled', lastHeardAt: 1000, away: false },
  ],
};

describe('backlog summary', () => {
  it('lists the ingest journal, each webhook and each parent, named for an operator', () => {
    expect(backlogRowsOf(backlogs).map((row) => [row.key, row.name])).toEqual([
      ['ingest', 'Ingest journal'],
      ['webhook:ops', 'Webhook ops'],
      ['parent:uplink', 'Parent 127.0.0.1:4110'],
      ['parent:dialled', 'Parents that dial in'],
    ]);
  });

  it('sums the depth over every backlog and takes the worst trend for the tree', () => {
    expect(backlogTotal(backlogs)).toEqual({ depth: 15, trend: 'stalled' });
    expect(backlogTotal({ ingest: empty, webhooks: [], parents: [] })).toEqual({ depth: 0, trend: 'empty' });
  });

  it('warns of a growing backlog and flags a stalled one', () => {
    expect(trendTone('growing')).toBe('warn');
    expect(trendTone('stalled')).toBe('bad');
    expect(trendTone('empty')).toBe('ok');
  });

  it('says a backlog in words, with the ETA only while it drains', () => {
    expect(
      describeBacklog({ depth: 40, oldestAgeMs: 30_000, drainPerSec: 8, etaMs: 5000, trend: 'draining' }),
    ).toBe('40 waiting, oldest 30 seconds, draining at 8/s, empty in 5 seconds');
    expect(describeBacklog(backlogs.webhooks[0]!)).toBe('12 waiting, oldest 30 seconds, stalled at 0/s');
    expect(describeBacklog(empty)).toBe('empty');
  });
});
