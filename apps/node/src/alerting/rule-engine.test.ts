import { describe, expect, it } from 'vitest';
import { Rule } from '@tierscope/shared';
import type { EventRow, SampleRow, StatusRow } from '../store/ingest-store.ts';
import type { AlertTransition } from './alert-transitions.ts';
import { RuleEngine, type ObservedBatch } from './rule-engine.ts';

const T0 = 1_700_000_000_000;

function rule(id: string, condition: unknown, scope: unknown = {}): Rule {
  return Rule.parse({ id, name: id, severity: 'critical', scope, condition });
}

function batch(parts: Partial<ObservedBatch> & { samples?: SampleRow[] }): ObservedBatch {
  const seen = new Map<string, number>();
  for (const s of parts.samples ?? []) seen.set(s.deviceId, s.ts);
  for (const e of parts.events ?? []) seen.set(e.deviceId, e.ts);
  return { samples: [], events: [], statuses: [], seen, ...parts };
}

const sample = (ts: number, value: number, deviceId = 'x1', metric = 'temp'): SampleRow => ({
  deviceId,
  metric,
  ts,
  value,
});

/** Feeds one sample per second, ticking the clock with each, and collects every transition. */
function runSeries(engine: RuleEngine, values: readonly number[], start = T0): AlertTransition[] {
  const out: AlertTransition[] = [];
  values.forEach((value, i) => {
    const at = start + i * 1000;
    out.push(...engine.evaluateBatch(batch({ samples: [sample(at, value)] }), at));
    out.push(...engine.tick(at));
  });
  return out;
}

const kinds = (transitions: AlertTransition[]) => transitions.map((t) => t.kind);

describe('rule engine', () => {
  it('fires a threshold rule once after its for-duration and resolves it once the value stays clear', () => {
    const engine = new RuleEngine();
    engine.setRules(
      [rule('hot', { kind: 'threshold', metric: 'temp', operator: '>', value: 30, forMs: 3000 })],
      T0,
    );
    const transitions = runSeries(engine, [20, 31, 32, 33, 34, 35, 25, 24, 23, 22, 21, 20, 20, 20]);
    expect(kinds(transitions)).toEqual(['fired', 'resolved']);
    const [fired, resolved] = transitions;
    // The episode starts at the first violating sample: that is the alert's id, stable on replay.
    expect(fired).toMatchObject({ alertId: `hot:x1:${T0 + 1000}`, at: T0 + 4000, value: 34 });
    expect(resolved!.alertId).toBe(fired!.alertId);
  });

  it('does not fire when the violation ends within the for-duration', () => {
    const engine = new RuleEngine();
    engine.setRules(
      [rule('hot', { kind: 'threshold', metric: 'temp', operator: '>', value: 30, forMs: 5000 })],
      T0,
    );
    expect(runSeries(engine, [31, 32, 20, 31, 20, 20])).toEqual([]);
  });

  it('turns a value bouncing across the threshold 50 times in a minute into one flapping alert', () => {
    const engine = new RuleEngine();
    engine.setRules(
      [rule('hot', { kind: 'threshold', metric: 'temp', operator: '>', value: 30, forMs: 0 })],
      T0,
    );
    const out: AlertTransition[] = [];
    for (let i = 0; i < 100; i++) {
      const at = T0 + i * 600; // 100 samples in a minute: 50 up, 50 down
      out.push(...engine.evaluateBatch(batch({ samples: [sample(at, i % 2 === 0 ? 31 : 29)] }), at));
      out.push(...engine.tick(at));
    }
    expect(new Set(out.map((t) => t.alertId)).size).toBe(1);
    expect(kinds(out)).toEqual(['fired', 'flapping']);
    // Then it calms down: one resolution after the flap quiet period.
    const calm = runSeries(engine, Array<number>(90).fill(20), T0 + 60_000);
    expect(kinds(calm)).toEqual(['resolved']);
  });

  it('holds an alert inside the hysteresis band and resolves only past it', () => {
    const engine = new RuleEngine({ damping: { clearForMs: 0 } });
    engine.setRules(
      [rule('hot', { kind: 'threshold', metric: 'temp', operator: '>', value: 30, hysteresis: 2, forMs: 0 })],
      T0,
    );
    expect(kinds(runSeries(engine, [31, 29.5, 30.5, 29, 28.5, 27]))).toEqual(['fired', 'resolved']);
  });

  it('fires a rate-of-change rule once and resolves it once', () => {
    const engine = new RuleEngine();
    engine.setRules([rule('fast', { kind: 'rate-of-change', metric: 'temp', perMinute: 30, forMs: 0 })], T0);
    // 1/s steady, then +1 per second (60/min) for 5 s, then steady again.
    const values = [20, 20, 20, 21, 22, 23, 24, 25, 25, 25, 25, 25, 25, 25, 25, 25];
    expect(kinds(runSeries(engine, values))).toEqual(['fired', 'resolved']);
  });

  it('fires no-data once the device is silent for the duration and resolves when it speaks again', () => {
    const engine = new RuleEngine();
    engine.setRules([rule('quiet', { kind: 'no-data', forMs: 10_000 })], T0);
    expect(engine.evaluateBatch(batch({ samples: [sample(T0, 1)] }), T0)).toEqual([]);
    expect(engine.tick(T0 + 9_000)).toEqual([]);
    const fired = engine.tick(T0 + 10_000);
    expect(kinds(fired)).toEqual(['fired']);
    expect(engine.tick(T0 + 15_000)).toEqual([]);
    const back = engine.evaluateBatch(batch({ samples: [sample(T0 + 20_000, 1)] }), T0 + 20_000);
    expect(kinds(back)).toEqual(['resolved']);
    expect(back[0]!.alertId).toBe(fired[0]!.alertId);
  });

  it('fires device-offline on an offline status (the last will) and resolves on online', () => {
    const engine = new RuleEngine();
    engine.setRules([rule('gone', { kind: 'device-offline', forMs: 0 })], T0);
    const status = (at: number, s: StatusRow['status']): StatusRow => ({ deviceId: 'x1', status: s, at });
    const offline = engine.evaluateBatch(batch({ statuses: [status(T0, 'offline')] }), T0);
    expect(kinds(offline)).toEqual(['fired']);
    expect(engine.evaluateBatch(batch({ statuses: [status(T0 + 500, 'offline')] }), T0 + 500)).toEqual([]);
    expect(
      kinds(engine.evaluateBatch(batch({ statuses: [status(T0 + 5000, 'online')] }), T0 + 5000)),
    ).toEqual(['resolved']);
  });

  it('fires event-match once for a burst of matching events and resolves after the quiet period', () => {
    const engine = new RuleEngine();
    engine.setRules(
      [
        rule('door', {
          kind: 'event-match',
          eventType: 'door-open',
          minSeverity: 'warning',
          resolveAfterMs: 60_000,
        }),
      ],
      T0,
    );
    const event = (ts: number, severity: EventRow['severity'], type = 'door-open'): EventRow => ({
      deviceId: 'x1',
      ts,
      type,
      severity,
      message: 'door opened',
      attrs: {},
    });
    const out = [
      ...engine.evaluateBatch(batch({ events: [event(T0, 'info'), event(T0 + 1, 'warning', 'other')] }), T0),
      ...engine.evaluateBatch(
        batch({ events: [event(T0 + 1000, 'warning'), event(T0 + 2000, 'critical')] }),
        T0 + 2000,
      ),
      ...engine.tick(T0 + 50_000),
      ...engine.tick(T0 + 62_000),
      ...engine.tick(T0 + 70_000),
    ];
    expect(kinds(out)).toEqual(['fired', 'resolved']);
  });

  it('only watches devices in the rule’s scope (id glob and labels)', () => {
    const engine = new RuleEngine();
    engine.setRules(
      [
        rule(
          'hot',
          { kind: 'threshold', metric: 'temp', operator: '>', value: 30, forMs: 0 },
          { devicePattern: 'boiler-*', labels: { site: 'b' } },
        ),
      ],
      T0,
    );
    engine.setDevice('boiler-1', { site: 'b' }, T0);
    engine.setDevice('boiler-2', { site: 'c' }, T0);
    const out = engine.evaluateBatch(
      batch({ samples: [sample(T0, 40, 'boiler-1'), sample(T0, 40, 'boiler-2'), sample(T0, 40, 'pump-1')] }),
      T0,
    );
    expect(out.map((t) => t.deviceId)).toEqual(['boiler-1']);
  });

  it('continues an alert that was open before a restart instead of firing a second one', () => {
    const engine = new RuleEngine();
    engine.setRules(
      [rule('hot', { kind: 'threshold', metric: 'temp', operator: '>', value: 30, forMs: 0 })],
      T0,
    );
    engine.restoreOpen([{ ruleId: 'hot', deviceId: 'x1', startedAt: T0 - 60_000, state: 'firing' }]);
    const out = runSeries(engine, [35, 36, 20, 20, 20, 20, 20, 20]);
    expect(out.map((t) => [t.kind, t.alertId])).toEqual([['resolved', `hot:x1:${T0 - 60_000}`]]);
  });

  it('resolves the open alerts of a rule that is removed', () => {
    const engine = new RuleEngine();
    const hot = rule('hot', { kind: 'threshold', metric: 'temp', operator: '>', value: 30, forMs: 0 });
    engine.setRules([hot], T0);
    const fired = runSeries(engine, [35]);
    const removed = engine.setRules([], T0 + 5000);
    expect(kinds(removed)).toEqual(['resolved']);
    expect(removed[0]!.alertId).toBe(fired[0]!.alertId);
  });
});
