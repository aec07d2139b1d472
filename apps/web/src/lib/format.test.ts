import { describe, expect, it } from 'vitest';
import { formatAge, formatAgo, formatCount, formatRate, formatTimestamp, nodeName } from './format.ts';

describe('formatCount', () => {
  it('groups thousands', () => {
    expect(formatCount(1234)).toBe('1,234');
  });

  it('reads a total from a partial answer as a lower bound', () => {
    expect(formatCount(1234, true)).toBe('≥ 1,234');
    expect(formatCount(0, true)).toBe('≥ 0');
  });
});

describe('ages', () => {
  it('says how old data is in words', () => {
    expect(formatAge(12_000)).toBe('12 seconds');
    expect(formatAge(5 * 60_000)).toBe('5 minutes');
    expect(formatAge(1000)).toBe('1 second');
    expect(formatAge(0)).toBe('0 seconds');
    expect(formatAge(59_000)).toBe('59 seconds');
    expect(formatAge(45 * 60_000 - 1)).toBe('45 minutes');
    expect(formatAge(90 * 60_000)).toBe('2 hours');
    expect(formatAge(3 * 86_400_000)).toBe('3 days');
  });

  it('says when something was last seen, or that it never was', () => {
    expect(formatAgo(1_000_000, 1_000_400)).toBe('just now');
    expect(formatAgo(1_000_000, 1_120_000)).toBe('2 minutes ago');
    expect(formatAgo(null, 5)).toBe('never');
  });
});

it('formats rates per second', () => {
  expect(formatRate(526.44)).toBe('526.4/s');
});

it('names a node by the last segment of its path', () => {
  expect(nodeName('district-1/probe-a')).toBe('probe-a');
  expect(nodeName('probe-d')).toBe('probe-d');
});

describe('formatTimestamp', () => {
  it('reads as operators read logs, in local time with a 24-hour clock', () => {
    // Europe/Berlin in the web tests: 13:03:07 UTC is 14:03:07 there in November.
    expect(formatTimestamp(Date.UTC(2026, 10, 22, 13, 3, 7))).toBe('Nov 22, 14:03:07');
    expect(formatTimestamp(Date.UTC(2026, 0, 5, 23, 0, 9))).toBe('Jan 6, 00:00:09');
  });
});
