import { countCommandJob, type CommandJob, type CommandJobItem } from '@tierscope/shared/schemas';
import { describe, expect, it } from 'vitest';
import { jobProgress } from './command-job-progress.ts';

const item = (deviceId: string, state: CommandJobItem['state']): CommandJobItem => ({
  nodePath: 'd1/p1',
  deviceId,
  commandId: `c-${deviceId}`,
  state,
  error: state === 'failed' ? 'device busy' : null,
});
const job = (items: CommandJobItem[], nodes: CommandJob['coverage']['nodes']): CommandJob => ({
  jobId: 'job-00000001',
  counts: countCommandJob(items),
  items,
  refused: [],
  rosters: [{ path: 'd1/p2', at: 1_800_000_000_000 }].map(({ path, at }) => ({
    nodePath: path,
    lastKnownAt: at,
  })),
  coverage: { asked: nodes.length, answered: nodes.filter((n) => n.state === 'ok').length, nodes },
});

describe('jobProgress', () => {
  it('counts the settled devices, the outcomes that occurred, and names each node that did not answer', () => {
    const progress = jobProgress(
      job(
        [
          item('a', 'succeeded'),
          item('b', 'sent'),
          item('c', 'failed'),
          item('d', 'succeeded'),
          item('e', 'queued'),
          {
            nodePath: 'd1/p2',
            deviceId: 'f',
            commandId: null,
            state: 'unreachable',
            error: 'd1/p2 did not answer',
          },
        ],
        [
          { path: 'd1/p1', state: 'ok', latencyMs: 3 },
          { path: 'd1/p2', state: 'unreachable', latencyMs: 0, message: 'node d1/p2 is unreachable' },
          { path: 'd1/p3', state: 'timeout', latencyMs: 1500 },
        ],
      ),
    );
    expect(progress).toEqual({
      done: 4,
      total: 6,
      outcomes: [
        { state: 'succeeded', count: 2 },
        { state: 'failed', count: 1 },
        { state: 'unreachable', count: 1 },
      ],
      unreachable: [
        { path: 'd1/p2', why: 'node d1/p2 is unreachable', devices: 1, lastKnownAt: 1_800_000_000_000 },
        { path: 'd1/p3', why: 'timeout', devices: 0, lastKnownAt: null },
      ],
      open: true,
    });
  });

  it('is closed once every command is settled and every node answered', () => {
    const progress = jobProgress(
      job([item('a', 'succeeded'), item('b', 'timed_out')], [{ path: 'd1/p1', state: 'ok', latencyMs: 3 }]),
    );
    expect(progress).toMatchObject({ done: 2, total: 2, open: false });
  });
});
