import type { Rule } from '@tierscope/shared/schemas';
import { describe, expect, it } from 'vitest';
import { EMPTY_RULE_FORM, parseLabels, ruleFormFromRule, ruleFromForm, type RuleForm } from './rule-form.ts';

const base = {
  id: 'hot',
  name: 'Too hot',
  severity: 'critical',
  enabled: true,
  scope: { devicePattern: 'sensor-*', labels: { site: 'north', floor: '2' } },
} as const;

const RULES: Rule[] = [
  {
    ...base,
    condition: {
      kind: 'threshold',
      metric: 'temp',
      operator: '>=',
      value: 80.25,
      hysteresis: 2.5,
      forMs: 90_000,
    },
  },
  { ...base, condition: { kind: 'rate-of-change', metric: 'pressure', perMinute: 0.5, forMs: 0 } },
  { ...base, condition: { kind: 'no-data', metric: 'temp', forMs: 600_000 } },
  { ...base, condition: { kind: 'no-data', forMs: 1_000 } },
  { ...base, enabled: false, condition: { kind: 'device-offline', forMs: 120_000 } },
  {
    ...base,
    condition: { kind: 'event-match', eventType: 'door-open', minSeverity: 'info', resolveAfterMs: 60_000 },
  },
];

const form = (patch: Partial<RuleForm>): RuleForm => ({ ...EMPTY_RULE_FORM, id: 'r1', name: 'R', ...patch });

describe('rule form', () => {
  it.each(RULES.map((rule) => [rule.condition.kind, rule] as const))(
    'maps a %s rule to the form and back unchanged',
    (_kind, rule) => {
      expect(ruleFromForm(ruleFormFromRule(rule))).toEqual({ rule });
    },
  );

  it('shows durations in seconds and labels one key=value a line, keys sorted', () => {
    const shown = ruleFormFromRule(RULES[0]!);
    expect(shown.forSeconds).toBe('90');
    expect(shown.labels).toBe('floor=2\nsite=north');
  });

  it('keeps the fields of other kinds, so switching kinds and back loses nothing typed', () => {
    const typed = form({ kind: 'threshold', metric: 'temp', value: '30' });
    const switched = { ...typed, kind: 'event-match' as const, eventType: 'door' };
    expect(ruleFromForm({ ...switched, kind: 'threshold' })).toMatchObject({
      rule: { condition: { kind: 'threshold', metric: 'temp', value: 30 } },
    });
  });

  it('reads an empty device pattern as every device and drops an empty no-data metric', () => {
    expect(ruleFromForm(form({ kind: 'no-data', devicePattern: ' ', forSeconds: '60' }))).toEqual({
      rule: {
        id: 'r1',
        name: 'R',
        severity: 'warning',
        enabled: true,
        scope: { devicePattern: '*', labels: {} },
        condition: { kind: 'no-data', forMs: 60_000 },
      },
    });
  });

  it('names each bad field with the contract’s reason, in the form’s units', () => {
    const result = ruleFromForm(
      form({ id: 'bad id', name: '', kind: 'no-data', metric: 'te mp', forSeconds: '0.5' }),
    );
    const errors = 'errors' in result ? result.errors : {};
    expect(Object.keys(errors).sort()).toEqual(['forSeconds', 'id', 'metric', 'name']);
    expect(errors.id).toMatch(/^Rule id: 1–64/);
    expect(errors.metric).toMatch(/^Metric name/);
    expect(errors.forSeconds).toBe('At least 1 s.');
  });

  it('says a missing threshold value is required and text is not a number', () => {
    expect(ruleFromForm(form({ metric: 'temp', value: '' }))).toEqual({ errors: { value: 'Required.' } });
    expect(ruleFromForm(form({ metric: 'temp', value: '3', hysteresis: 'lots' }))).toEqual({
      errors: { hysteresis: 'Not a number.' },
    });
  });

  it('refuses label lines without "=" or with a key twice', () => {
    expect(parseLabels('site=a\n\nfloor')).toEqual({ problem: 'Line 3: write key=value.' });
    expect(parseLabels('site=a\nsite=b')).toEqual({ problem: 'Line 2: label site is given twice.' });
    expect(parseLabels(' site = a b \n')).toEqual({ labels: { site: 'a b' } });
    expect(ruleFromForm(form({ metric: 'temp', value: '1', labels: 'oops' }))).toEqual({
      errors: { labels: 'Line 1: write key=value.' },
    });
  });
});
