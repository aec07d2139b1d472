import { describe, expect, it } from 'vitest';
import type { Rule } from '@tierscope/shared';
import type { EventRow, SampleRow } from '../store/ingest-store.ts';
import type { HistoryRow } from '../store/rule-history.ts';
import type { AlertTransition } from './alert-transitions.ts';
import { RuleEngine } from './rule-engine.ts';
import { RuleReplay } from './rule-replay.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const FROM = Date.UTC(2026, 11, 1);
const TO = FROM + 24 * HOUR;
const DEVICES = ['boiler-1', 'boiler-2', 'boiler-3', 'meter-1', 'meter-2'].map((id) => ({
  id,
  labels: { site: id.startsWith('boiler') ? 'north' : 'south' },
}));

/** A deterministic generator, so the scripted day is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/**
 * A scripted day: every device reports temp once a minute with a few seconds of jitter, drifting
 * around 40 with hot spells that cross 50, bouncing near the line now and then (flaps), falling
 * silent for an hour (no data), and a door event every few hours.
 */
function scriptedDay(): { samples: SampleRow[]; events: EventRow[] } {
  const random = seeded(7);
  const samples: SampleRow[] = [];
  const events: EventRow[] = [];
  for (const [index, device] of DEVICES.entries()) {
    const silentFrom = FROM + (3 + index * 4) * HOUR;
    for (let t = FROM; t < TO; t += MINUTE) {
      if (device.id === 'meter-2' && t >= silentFrom && t < silentFrom + HOUR) continue;
      const hour = Math.floor((t - FROM) / HOUR);
      const hot = (hour + index) % 7 === 0;
      const bouncing = (hour + index) % 11 === 0;
      const value = hot ? 55 + random() * 5 : bouncing ? 49 + random() * 2.5 : 38 + random() * 6;
      samples.push({ deviceId: device.id, metric: 'temp', ts: t + Math.floor(random() * 5000), value });
      if (random() < 0.004)
        events.push({
          deviceId: device.id,
          ts: t + 30_000,
          type: 'door',
          severity: 'warning',
          message: 'door opened',
          attrs: {},
        });
    }
  }
  return { samples, events };
}

function historyOf(samples: readonly SampleRow[], events: readonly EventRow[]): HistoryRow[] {
  return [
    ...samples.map((row): HistoryRow => ({ kind: 'sample', row })),
    ...events.map((row): HistoryRow => ({ kind: 'event', row })),
  ].sort((a, b) => a.row.ts - b.row.ts);
}

/**
 * The engine as it runs live, with the history arriving as it was stamped: each row in its own
 * batch at its own time, and the one-second tick in between.
 */
function liveEngineOver(rule: Rule, history: readonly HistoryRow[]): AlertTransition[] {
  const engine = new RuleEngine();
  for (const device of DEVICES) engine.setDevice(device.id, device.labels, FROM);
  engine.setRules([rule], FROM);
  const out: AlertTransition[] = [];
  let tickAt = FROM + 1000;
  const tickUntil = (at: number) => {
    for (; tickAt < at; tickAt += 1000) out.push(...engine.tick(tickAt));
  };
  for (const arrived of history) {
    tickUntil(arrived.row.ts);
    const batch = {
      samples: arrived.kind === 'sample' ? [arrived.row] : [],
      events: arrived.kind === 'event' ? [arrived.row] : [],
      statuses: [],
      seen: new Map([[arrived.row.deviceId, arrived.row.ts]]),
    };
    out.push(...engine.evaluateBatch(batch, arrived.row.ts));
  }
  tickUntil(TO);
  return out;
}

/** The replay fed in uneven chunks, as the store hands history over. */
function replayed(rule: Rule, history: readonly HistoryRow[], chunk: number): AlertTransition[] {
  const out: AlertTransition[] = [];
  const replay = new RuleReplay(rule, { from: FROM, to: TO, tickMs: 1000, devices: DEVICES }, (t) =>
    out.push(t),
  );
  for (let i = 0; i < history.length; i += chunk) replay.feed(history.slice(i, i + chunk));
  replay.finish();
  return out;
}

const outline = (transitions: readonly AlertTransition[]) =>
  transitions.map((t) => `${new Date(t.at).toISOString()} ${t.kind} ${t.deviceId} ${t.value ?? ''}`);

const base = {
  name: 'r',
  severity: 'warning',
  enabled: true,
  scope: { devicePattern: '*', labels: {} },
} as const;
const RULES: Rule[] = [
  {
    ...base,
    id: 'hot',
    condition: {
      kind: 'threshold',
      metric: 'temp',
      operator: '>',
      value: 50,
      hysteresis: 0,
      forMs: 5 * MINUTE,
    },
  },
  {
    ...base,
    id: 'hot-now',
    scope: { devicePattern: 'boiler-*', labels: { site: 'north' } },
    condition: { kind: 'threshold', metric: 'temp', operator: '>=', value: 50, hysteresis: 1.5, forMs: 0 },
  },
  {
    ...base,
    id: 'jump',
    condition: { kind: 'rate-of-change', metric: 'temp', perMinute: 8, forMs: 0 },
  },
  { ...base, id: 'quiet', condition: { kind: 'no-data', metric: 'temp', forMs: 10 * MINUTE } },
  {
    ...base,
    id: 'door',
    condition: { kind: 'event-match', eventType: 'door', minSeverity: 'info', resolveAfterMs: 20 * MINUTE },
  },
];

describe('replaying a rule over stored history', () => {
  const { samples, events } = scriptedDay();
  const history = historyOf(samples, events);

  it.each(RULES.map((rule) => [rule.id, rule] as const))(
    'gives for %s over a scripted day exactly what the live engine raises from the same samples',
    (_id, rule) => {
      const live = liveEngineOver(rule, history);
      expect(live.filter((t) => t.kind === 'fired').length, 'the script fires the rule').toBeGreaterThan(0);
      expect(live.filter((t) => t.kind === 'resolved').length, 'and resolves it').toBeGreaterThan(0);
      expect(outline(replayed(rule, history, 997))).toEqual(outline(live));
      expect(outline(replayed(rule, history, 1))).toEqual(outline(live));
    },
  );

  it('fires a for-duration rule once the value has stayed over the line that long, and resolves after the clear period on the tick', () => {
    const at = (minutes: number) => FROM + minutes * MINUTE;
    const temps = [40, 51, 52, 53, 54, 55, 56, 57, 40, 40];
    const rows = temps.map((value, minute): HistoryRow => ({
      kind: 'sample',
      row: { deviceId: 'boiler-1', metric: 'temp', ts: at(minute), value },
    }));
    const out = replayed(RULES[0]!, rows, 4);
    // Over 50 from minute 1; five minutes later (minute 6) it fires. Clear at minute 8: the 5 s
    // clear period ends at 8:05, the tick there resolves it.
    expect(out.map((t) => [t.kind, t.at, t.episodeStart])).toEqual([
      ['fired', at(6), at(1)],
      ['resolved', at(8) + 5000, at(1)],
    ]);
  });

  it('refuses history fed out of time order', () => {
    const replay = new RuleReplay(
      RULES[0]!,
      { from: FROM, to: TO, tickMs: 1000, devices: DEVICES },
      () => {},
    );
    const sample = (ts: number): HistoryRow => ({
      kind: 'sample',
      row: { deviceId: 'boiler-1', metric: 'temp', ts, value: 1 },
    });
    replay.feed([sample(FROM + 5000)]);
    expect(() => replay.feed([sample(FROM + 4000)])).toThrow(/out of order/);
  });
});
