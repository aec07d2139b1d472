import { describe, expect, it } from 'vitest';
import { exitCode, scenarioLine, summarize, type ScenarioResult } from './result.ts';

const result = (overrides: Partial<ScenarioResult> = {}): ScenarioResult => ({
  id: 1,
  name: 'a partition',
  recovered: true,
  recoverS: 2.04,
  failedRequests: 0,
  ackedMissing: 0,
  duplicates: 0,
  alertsMissing: 0,
  notes: [],
  ...overrides,
});

describe('summarize', () => {
  it('prints the JSON line of the issue, with zeros for a clean run', () => {
    const summary = summarize([result(), result({ id: 2, recoverS: 7.26 })], true);
    expect(JSON.stringify(summary)).toBe(
      '{"bench":"faults","scenarios":2,"acked_missing":0,"duplicates":0,"alerts_missing":0,"failed_requests":0,"max_recover_s":7.3,"not_recovered":[],"quick":true}',
    );
  });

  it('takes storage and alert figures from the last check (each counts since the start) and adds up failed requests', () => {
    const summary = summarize(
      [
        result({ ackedMissing: 40, alertsMissing: 2, failedRequests: 1, recovered: false }),
        result({ id: 2, ackedMissing: 8, duplicates: 3, alertsMissing: 0, failedRequests: 2 }),
      ],
      false,
    );
    expect(summary).toMatchObject({
      acked_missing: 8,
      duplicates: 3,
      alerts_missing: 0,
      failed_requests: 3,
      not_recovered: [1],
    });
  });
});

describe('exitCode', () => {
  it('is 0 only when every figure is zero and every scenario ran and recovered', () => {
    expect(exitCode(summarize([result()], true), 1)).toBe(0);
  });

  it.each([
    ['an acked sample missing', { ackedMissing: 1 }],
    ['a duplicate', { duplicates: 1 }],
    ['an alert missing', { alertsMissing: 1 }],
    ['a failed request', { failedRequests: 1 }],
    ['a scenario that did not recover', { recovered: false }],
  ])('is 1 with %s', (_, overrides) => {
    expect(exitCode(summarize([result(overrides)], true), 1)).toBe(1);
  });

  it('is 1 when fewer scenarios ran than asked for', () => {
    expect(exitCode(summarize([result()], true), 7)).toBe(1);
  });
});

describe('scenarioLine', () => {
  it('names the scenario, its recovery and its figures, then its notes', () => {
    expect(scenarioLine(result({ recovered: false, recoverS: 90, notes: ['probe unreachable'] }))).toBe(
      'scenario 1 (a partition): NOT recovered after 90.0 s; acked_missing=0 duplicates=0 alerts_missing=0 failed_requests=0\n    probe unreachable',
    );
  });
});
