import { describe, expect, it } from 'vitest';
import {
  absoluteRange,
  describeRange,
  fromLocalInputValue,
  parseRangeSearch,
  rangeToSearch,
  resolveRange,
  toLocalInputValue,
} from './time-range.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = new Date('2026-11-22T15:30:00.000Z');

describe('resolveRange', () => {
  it('ends a preset window now', () => {
    expect(resolveRange({ kind: 'preset', preset: '1h' }, now)).toEqual({
      from: now.getTime() - HOUR,
      to: now.getTime(),
    });
    expect(resolveRange({ kind: 'preset', preset: '7d' }, now).from).toBe(now.getTime() - 7 * DAY);
  });

  it('counts days in calendar days across a daylight-saving change', () => {
    // Europe/Berlin (the test zone) moved its clocks forward on 2026-03-29: that day had 23 hours.
    const afterChange = new Date(2026, 2, 30, 12, 0);
    const { from, to } = resolveRange({ kind: 'preset', preset: '7d' }, afterChange);
    expect(new Date(from)).toEqual(new Date(2026, 2, 23, 12, 0));
    expect(to - from).toBe(7 * DAY - HOUR);
  });

  it('keeps an absolute range as it is', () => {
    expect(resolveRange({ kind: 'absolute', from: 1, to: 2 }, now)).toEqual({ from: 1, to: 2 });
  });
});

describe('parseRangeSearch', () => {
  it('reads a preset', () => {
    expect(parseRangeSearch({ range: '30d' }, '24h')).toEqual({ kind: 'preset', preset: '30d' });
  });

  it('falls back to the default for an unknown preset or none', () => {
    expect(parseRangeSearch({ range: '2w' }, '24h')).toEqual({ kind: 'preset', preset: '24h' });
    expect(parseRangeSearch({}, '1h')).toEqual({ kind: 'preset', preset: '1h' });
  });

  it('reads an absolute range in ISO 8601, offsets included', () => {
    expect(
      parseRangeSearch({ from: '2026-11-22T10:00:00Z', to: '2026-11-22T12:00:00+01:00' }, '24h'),
    ).toEqual({
      kind: 'absolute',
      from: Date.UTC(2026, 10, 22, 10),
      to: Date.UTC(2026, 10, 22, 11),
    });
  });

  it('prefers a valid absolute range over a preset', () => {
    expect(parseRangeSearch({ range: '1h', from: '2026-11-01', to: '2026-11-02' }, '24h').kind).toBe(
      'absolute',
    );
  });

  it('ignores a reversed, empty, unparsable or too long absolute range', () => {
    const fallback = { kind: 'preset', preset: '24h' };
    expect(parseRangeSearch({ from: '2026-11-02', to: '2026-11-01' }, '24h')).toEqual(fallback);
    expect(parseRangeSearch({ from: '2026-11-02', to: '2026-11-02' }, '24h')).toEqual(fallback);
    expect(parseRangeSearch({ from: 'yesterday', to: '2026-11-02' }, '24h')).toEqual(fallback);
    expect(parseRangeSearch({ from: '2025-01-01', to: '2026-11-02' }, '24h')).toEqual(fallback);
  });
});

describe('rangeToSearch', () => {
  it('writes a preset and clears any absolute instants', () => {
    expect(rangeToSearch({ kind: 'preset', preset: '7d' })).toEqual({
      range: '7d',
      from: undefined,
      to: undefined,
    });
  });

  it('round-trips an absolute range through the URL', () => {
    const selection = {
      kind: 'absolute' as const,
      from: Date.UTC(2026, 10, 22, 9, 15),
      to: Date.UTC(2026, 10, 22, 9, 45),
    };
    expect(parseRangeSearch(rangeToSearch(selection), '24h')).toEqual(selection);
  });
});

describe('absoluteRange', () => {
  it('orders the instants of a drag in either direction', () => {
    expect(absoluteRange(2000.4, 1000.6)).toEqual({ kind: 'absolute', from: 1000, to: 2001 });
  });

  it('refuses a zero-width range', () => {
    expect(absoluteRange(5, 5)).toBeUndefined();
  });
});

describe('datetime-local inputs', () => {
  it('shows and reads local wall-clock time', () => {
    const at = new Date(2026, 10, 22, 9, 5).getTime();
    expect(toLocalInputValue(at)).toBe('2026-11-22T09:05');
    expect(fromLocalInputValue('2026-11-22T09:05')).toBe(at);
  });

  it('reads nothing from a partial value', () => {
    expect(fromLocalInputValue('2026-11-22')).toBeUndefined();
    expect(fromLocalInputValue('')).toBeUndefined();
  });
});

it('describes a range for headings', () => {
  expect(describeRange({ kind: 'preset', preset: '24h' })).toBe('Last 24 hours');
  expect(
    describeRange({
      kind: 'absolute',
      from: new Date(2026, 10, 22, 14).getTime(),
      to: new Date(2026, 10, 22, 15, 30).getTime(),
    }),
  ).toBe('Nov 22, 14:00 – Nov 22, 15:30');
});
