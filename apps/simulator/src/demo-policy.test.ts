// The demo policy against the devices it is written for: every rule names what a simulated device
// sends, the normal bands stay clear of the thresholds, and the excursions cross them.
import { PolicyContent, type Rule, type RuleCondition } from '@tierscope/shared/schemas';
import { DEMO_POLICY, metricsNamedBy } from '@tierscope/test-support/demo-policy';
import { describe, expect, it } from 'vitest';
import { KIND_PROFILES, type GaugeSpec } from './device-kinds.ts';
import { EXCURSION_RAMP_MS, HOVER_HOLD_MS, shortestExcursionMs } from './excursions.ts';

/** The README's hand-published metric: no simulated device sends it. */
const HAND_PUBLISHED = ['temp'];
/** The demo's rate: a sample every 2 s per device. */
const SAMPLE_MS = 2_000;
const SHORTEST_RISE_MS = shortestExcursionMs('rise');
const SHORTEST_OUTAGE_MS = shortestExcursionMs('outage');

const [bundle] = DEMO_POLICY.bundles;
const rules = bundle?.rules ?? [];
const gauges = Object.values(KIND_PROFILES).flatMap((profile) =>
  profile.metrics.filter((metric): metric is GaugeSpec => metric.kind === 'gauge'),
);
const simulatedMetrics = new Set(
  Object.values(KIND_PROFILES).flatMap((profile) => profile.metrics.map((metric) => metric.name)),
);
const simulatedEvents = new Set(
  Object.values(KIND_PROFILES).flatMap((profile) => [
    profile.chatter.event.type,
    ...profile.metrics.flatMap((metric) =>
      metric.kind === 'gauge' && metric.spike?.event ? [metric.spike.event.type] : [],
    ),
  ]),
);

type Threshold = Extract<RuleCondition, { kind: 'threshold' }>;
const thresholds = rules.flatMap((rule) =>
  rule.condition.kind === 'threshold' ? [{ rule, condition: rule.condition }] : [],
);
const violates = ({ operator, value }: Threshold, x: number) =>
  operator === '>' ? x > value : operator === '>=' ? x >= value : operator === '<' ? x < value : x <= value;
const clears = ({ operator, value, hysteresis }: Threshold, x: number) =>
  operator.startsWith('>') ? x <= value - hysteresis : x >= value + hysteresis;
/** The widest a gauge goes on its own, spikes aside: the daily swing, four sd of drift, noise. */
const normalBand = (gauge: GaugeSpec): [number, number] => {
  const reach = gauge.amplitude * 1.3 + 5 * gauge.drift.sd + 4 * gauge.noise;
  return [gauge.mean - reach, gauge.mean + reach];
};
const withExcursion = (metric: string) => gauges.filter((gauge) => gauge.name === metric && gauge.excursion);
const byKind = <K extends RuleCondition['kind']>(kind: K) =>
  rules.filter(
    (rule): rule is Rule & { condition: Extract<RuleCondition, { kind: K }> } => rule.condition.kind === kind,
  );

describe('the demo policy', () => {
  it('parses as policy content, one bundle for the whole tree', () => {
    expect(PolicyContent.parse(JSON.parse(JSON.stringify(DEMO_POLICY)))).toEqual(DEMO_POLICY);
    expect(DEMO_POLICY.bundles).toHaveLength(1);
    expect(bundle?.target).toBe('**');
  });

  it('has threshold, rate-of-change, offline and event-match rules', () => {
    expect(new Set(rules.map((rule) => rule.condition.kind))).toEqual(
      new Set(['threshold', 'rate-of-change', 'device-offline', 'event-match']),
    );
  });

  it('declares every metric its rules name, each sent by a simulated device or by hand', () => {
    expect(bundle?.declaredMetrics).toEqual(metricsNamedBy(rules));
    for (const metric of metricsNamedBy(rules))
      expect(simulatedMetrics.has(metric) || HAND_PUBLISHED.includes(metric), metric).toBe(true);
  });

  it("fires its temperature rule on the README's hand-published temp 99.5 at once", () => {
    const temp = thresholds.find(({ condition }) => condition.metric === 'temp');
    expect(temp?.rule.scope.devicePattern).toBe('*');
    expect(temp && violates(temp.condition, 99.5) && clears(temp.condition, 21.5)).toBe(true);
    expect(temp?.condition.forMs).toBe(0);
  });

  it.each(thresholds.filter(({ condition }) => withExcursion(condition.metric).length > 0))(
    'keeps $rule.id clear in the normal band, and lets excursions cross it',
    ({ condition }) => {
      for (const gauge of gauges.filter((gauge) => gauge.name === condition.metric))
        for (const x of normalBand(gauge)) expect(clears(condition, x), `${gauge.name} ${x}`).toBe(true);
      for (const gauge of withExcursion(condition.metric)) {
        const { to, hover } = gauge.excursion!;
        expect(violates(condition, to)).toBe(true);
        if (hover) expect(violates(condition, hover.above) && clears(condition, hover.below)).toBe(true);
      }
      // It fires while a hover still holds, and while the shortest rise is at its level.
      expect(condition.forMs).toBeLessThanOrEqual(HOVER_HOLD_MS - EXCURSION_RAMP_MS - 2 * SAMPLE_MS);
      expect(condition.forMs).toBeLessThanOrEqual(SHORTEST_RISE_MS - 2 * EXCURSION_RAMP_MS);
    },
  );

  it('fires its rate-of-change rules on a ramp of an excursion, not on noise', () => {
    const rates = byKind('rate-of-change');
    expect(rates.length).toBeGreaterThan(0);
    for (const { condition } of rates) {
      for (const gauge of withExcursion(condition.metric)) {
        const rampPerMinute = (Math.abs(gauge.excursion!.to - gauge.mean) / EXCURSION_RAMP_MS) * 60_000;
        const noisePerMinute = ((4 * Math.SQRT2 * gauge.noise) / SAMPLE_MS) * 60_000;
        expect(rampPerMinute).toBeGreaterThan(condition.perMinute * 1.5);
        expect(noisePerMinute).toBeLessThan(condition.perMinute);
        expect(condition.forMs).toBeLessThanOrEqual(EXCURSION_RAMP_MS - 2 * SAMPLE_MS);
      }
    }
  });

  it('fires its offline rule within the shortest outage, and its event rules on simulated events', () => {
    for (const { condition } of byKind('device-offline'))
      expect(condition.forMs).toBeLessThan(SHORTEST_OUTAGE_MS - 2 * SAMPLE_MS);
    for (const { condition } of byKind('event-match'))
      expect(simulatedEvents.has(condition.eventType)).toBe(true);
  });
});
