import type { Backlog } from '@tierscope/shared';
import { describe, expect, it } from 'vitest';
import { BacklogAlerts } from './backlog-alerts.ts';

const backlog = (trend: Backlog['trend'], depth = 4): Backlog => ({
  depth,
  oldestAgeMs: depth === 0 ? null : 61_000,
  drainPerSec: 0,
  etaMs: null,
  trend,
});
const webhook = (trend: Backlog['trend'], depth?: number) => [
  { key: 'webhook:ops', label: 'webhook ops', backlog: backlog(trend, depth) },
];

/** Evaluates and stores at once, as the node does when its store takes the transitions. */
function step(alerts: BacklogAlerts, backlogs: ReturnType<typeof webhook>, now: number) {
  const transitions = alerts.evaluate(backlogs, now);
  alerts.applied(transitions);
  return transitions;
}

describe('BacklogAlerts', () => {
  it('fires one node alert when a drain stalls, and no second one while it stays stalled', () => {
    const alerts = new BacklogAlerts();
    expect(step(alerts, webhook('growing'), 1000)).toEqual([]);
    const fired = step(alerts, webhook('stalled'), 2000);
    expect(fired).toEqual([
      expect.objectContaining({
        kind: 'fired',
        alertId: 'backlog-stalled:webhook:ops:2000',
        fingerprint: 'backlog-stalled:webhook:ops',
        deviceId: null,
        value: 4,
        summary: 'webhook ops: 4 waiting, the oldest for 61 s, none drained lately',
      }),
    ]);
    expect(step(alerts, webhook('stalled'), 3000)).toEqual([]);
  });

  it('resolves the alert once the backlog drains again', () => {
    const alerts = new BacklogAlerts();
    step(alerts, webhook('stalled'), 2000);
    expect(step(alerts, webhook('draining', 2), 5000)).toEqual([
      expect.objectContaining({ kind: 'resolved', alertId: 'backlog-stalled:webhook:ops:2000', at: 5000 }),
    ]);
  });

  it('resolves an alert left open by an earlier run when its backlog is not stalled', () => {
    const alerts = new BacklogAlerts();
    alerts.restore([{ fingerprint: 'backlog-stalled:webhook:ops', startedAt: 100 }]);
    expect(step(alerts, webhook('empty', 0), 9000)).toEqual([
      expect.objectContaining({ kind: 'resolved', alertId: 'backlog-stalled:webhook:ops:100' }),
    ]);
  });

  it('resolves the alert of a backlog that is no longer kept', () => {
    const alerts = new BacklogAlerts();
    step(alerts, webhook('stalled'), 2000);
    expect(step(alerts, [], 3000)).toEqual([
      expect.objectContaining({ kind: 'resolved', fingerprint: 'backlog-stalled:webhook:ops' }),
    ]);
  });

  it('decides the same firing again when the store could not take it', () => {
    const alerts = new BacklogAlerts();
    expect(alerts.evaluate(webhook('stalled'), 2000)).toHaveLength(1);
    expect(alerts.evaluate(webhook('stalled'), 3000)).toEqual([
      expect.objectContaining({ kind: 'fired', alertId: 'backlog-stalled:webhook:ops:3000' }),
    ]);
  });
});
