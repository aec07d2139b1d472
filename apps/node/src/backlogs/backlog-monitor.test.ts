import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { WatchedBacklog } from '../alerting/backlog-alerts.ts';
import { settableBacklogSources } from '../testing/backlog-sources.ts';
import { BacklogMonitor } from './backlog-monitor.ts';

const logger = pino({ level: 'silent' });

function monitor() {
  const sources = settableBacklogSources();
  const clock = { now: 0 };
  const watched: WatchedBacklog[][] = [];
  const backlogs = new BacklogMonitor({
    sources,
    intervalMs: 1000,
    rateWindowMs: 10_000,
    stallAfterMs: 5000,
    logger,
    now: () => clock.now,
    onRead: async (read) => {
      watched.push([...read]);
    },
  });
  return { backlogs, sources, clock, watched };
}

describe('BacklogMonitor', () => {
  it('reports every backlog with its drain figures and hands them to the stalled-drain alert by key', async () => {
    const { backlogs, sources, clock, watched } = monitor();
    sources.state.webhooks = [{ webhookId: 'ops', depth: 10, drainedTotal: 0, oldestAt: 0 }];
    sources.state.parents = [
      {
        parent: { key: 'uplink', label: 'district:4110', via: 'uplink' },
        lastHeardAt: 0,
        away: false,
        depth: 0,
        drainedTotal: 0,
        oldestAt: null,
      },
    ];
    await backlogs.read();
    clock.now = 2000;
    sources.state.webhooks = [{ webhookId: 'ops', depth: 6, drainedTotal: 4, oldestAt: 500 }];
    const read = await backlogs.read();
    expect(read.webhooks).toEqual([
      { webhookId: 'ops', depth: 6, oldestAgeMs: 1500, drainPerSec: 2, etaMs: 3000, trend: 'draining' },
    ]);
    expect(read.parents).toMatchObject([
      { parent: 'district:4110', via: 'uplink', away: false, trend: 'empty' },
    ]);
    expect(watched.at(-1)!.map((w) => [w.key, w.label])).toEqual([
      ['ingest', 'ingest journal'],
      ['webhook:ops', 'webhook ops'],
      ['parent:uplink', 'parent district:4110'],
    ]);
  });

  it('keeps the last figures of a source it cannot read, and still reads the others', async () => {
    const { backlogs, sources, clock } = monitor();
    sources.state.webhooks = [{ webhookId: 'ops', depth: 3, drainedTotal: 0, oldestAt: 0 }];
    await backlogs.read();
    clock.now = 1000;
    sources.state.webhooks = new Error('database unreachable');
    sources.state.ingest = { depth: 7, drainedTotal: 0, oldestAt: 900 };
    const read = await backlogs.read();
    expect(read.webhooks).toMatchObject([{ webhookId: 'ops', depth: 3 }]);
    expect(read.ingest).toMatchObject({ depth: 7, oldestAgeMs: 100 });
  });
});
