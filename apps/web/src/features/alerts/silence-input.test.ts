import type { Silence } from '@tierscope/shared/schemas';
import { describe, expect, it } from 'vitest';
import {
  activeSilenceFor,
  canSilence,
  globMatches,
  SILENCE_DURATIONS,
  silenceInputFor,
  silenceUntil,
} from './silence-input.ts';
import { makeAlert } from '../../testing/test-alerts.ts';

const HOUR = SILENCE_DURATIONS.find((d) => d.label === '1 h')!;

describe('silenceInputFor', () => {
  it('silences this rule on this device at the alert’s owner until the chosen time', () => {
    const alert = makeAlert({ nodePath: 'district-1/probe-a', deviceId: 'sim-s01-pump-1', ruleId: 'hot' });
    if (!canSilence(alert)) throw new Error('the alert has a device');
    expect(silenceInputFor(alert, HOUR, 1_000_000, '  pump under repair ')).toEqual({
      nodePath: 'district-1/probe-a',
      kind: 'silence',
      matchers: { devicePattern: 'sim-s01-pump-1', ruleId: 'hot' },
      endsAt: 1_000_000 + 3_600_000,
      comment: 'pump under repair',
    });
  });

  it('says what was silenced when no comment is given', () => {
    const alert = makeAlert({ deviceId: 'pump-1', ruleName: 'Motor too hot' });
    if (!canSilence(alert)) throw new Error('the alert has a device');
    expect(silenceInputFor(alert, SILENCE_DURATIONS[0]!, 0).comment).toBe(
      'Motor too hot on pump-1, silenced for 15 minutes',
    );
  });

  it('offers 15 minutes to a day', () => {
    expect(SILENCE_DURATIONS.map((d) => d.ms / 60_000)).toEqual([15, 60, 240, 1440]);
  });

  it('does not silence a node-level alert, which has no device to match', () => {
    expect(canSilence(makeAlert({ deviceId: null, ruleId: 'node-unreachable' }))).toBe(false);
  });
});

describe('activeSilenceFor', () => {
  const silence = (overrides: Partial<Silence>): Silence => ({
    id: 's1',
    nodePath: 'district-1/probe-a',
    kind: 'silence',
    matchers: { devicePattern: 'pump-*', ruleId: 'hot' },
    startsAt: 0,
    endsAt: 10_000,
    createdBy: 'console',
    createdAt: 0,
    comment: '',
    ...overrides,
  });
  const alert = makeAlert({ nodePath: 'district-1/probe-a', deviceId: 'pump-1', ruleId: 'hot' });

  it('finds the silence covering the alert now, the longest of several', () => {
    const short = silence({ id: 'short', endsAt: 5000 });
    const long = silence({ id: 'long', endsAt: 9000 });
    expect(activeSilenceFor(alert, [short, long], 1000)?.id).toBe('long');
  });

  it('ignores silences that have ended, another rule, device or subtree', () => {
    expect(activeSilenceFor(alert, [silence({ endsAt: 1000 })], 1000)).toBeUndefined();
    expect(activeSilenceFor(alert, [silence({ matchers: { ruleId: 'cold' } })], 1)).toBeUndefined();
    expect(activeSilenceFor(alert, [silence({ matchers: { devicePattern: 'valve-*' } })], 1)).toBeUndefined();
    expect(activeSilenceFor(alert, [silence({ nodePath: 'probe-d' })], 1)).toBeUndefined();
    expect(
      activeSilenceFor(
        alert,
        [silence({ nodePath: 'district-1', matchers: { nodePath: 'district-1/probe-b' } })],
        1,
      ),
    ).toBeUndefined();
  });

  it('covers a subtree from a node above the owner', () => {
    expect(
      activeSilenceFor(alert, [silence({ nodePath: 'district-1', matchers: { ruleId: 'hot' } })], 1)?.id,
    ).toBe('s1');
  });
});

describe('globMatches', () => {
  it('reads * and ? as wildcards and everything else literally', () => {
    expect(globMatches('sim-*-pump-?', 'sim-s01-pump-1')).toBe(true);
    expect(globMatches('sim-*-pump-?', 'sim-s01-pump-10')).toBe(false);
    expect(globMatches('a.b', 'axb')).toBe(false);
    expect(globMatches('a.b', 'a.b')).toBe(true);
  });
});

describe('silenceUntil', () => {
  it('says the time for today and the date for another day', () => {
    const now = new Date(2026, 10, 22, 14, 0).getTime();
    expect(silenceUntil({ endsAt: new Date(2026, 10, 22, 15, 42).getTime() }, now)).toBe('until 15:42');
    expect(silenceUntil({ endsAt: new Date(2026, 10, 23, 14, 0).getTime() }, now)).toBe(
      'until Nov 23, 14:00',
    );
  });
});
