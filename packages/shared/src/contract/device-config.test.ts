import { describe, expect, it } from 'vitest';
import { configDiff, configStateOf, jsonEqual } from './device-config.ts';

const GRACE_MS = 60_000;
const desired = { version: 3, setAt: 1_000_000, config: { interval: 10, mode: 'eco' } };
const at = (afterSetMs: number) => desired.setAt + afterSetMs;

describe('configStateOf', () => {
  it('is in sync when the device reports the desired version, applied', () => {
    const reported = { version: 3, ok: true, config: null };
    expect(configStateOf({ desired, reported, now: at(5), graceMs: GRACE_MS })).toBe('in_sync');
  });

  it('is in sync when the reported document equals the desired one, whatever its key order', () => {
    const reported = { version: 3, ok: true, config: { mode: 'eco', interval: 10 } };
    expect(configStateOf({ desired, reported, now: at(5), graceMs: GRACE_MS })).toBe('in_sync');
  });

  it('is pending while the device has not reported the version and the grace period runs', () => {
    expect(configStateOf({ desired, reported: null, now: at(59_999), graceMs: GRACE_MS })).toBe('pending');
    const behind = { version: 2, ok: true, config: null };
    expect(configStateOf({ desired, reported: behind, now: at(1), graceMs: GRACE_MS })).toBe('pending');
  });

  it('is drifted once the grace period has passed without the desired version', () => {
    expect(configStateOf({ desired, reported: null, now: at(60_000), graceMs: GRACE_MS })).toBe('drifted');
    const behind = { version: 2, ok: true, config: null };
    expect(configStateOf({ desired, reported: behind, now: at(60_000), graceMs: GRACE_MS })).toBe('drifted');
  });

  it('is drifted at once when the device refused the version or runs another document', () => {
    const refused = { version: 3, ok: false, config: null };
    expect(configStateOf({ desired, reported: refused, now: at(1), graceMs: GRACE_MS })).toBe('drifted');
    const other = { version: 3, ok: true, config: { interval: 30, mode: 'eco' } };
    expect(configStateOf({ desired, reported: other, now: at(1), graceMs: GRACE_MS })).toBe('drifted');
  });

  it('is drifted when the device reports a version ahead of the desired one', () => {
    const ahead = { version: 4, ok: true, config: null };
    expect(configStateOf({ desired, reported: ahead, now: at(1), graceMs: GRACE_MS })).toBe('drifted');
  });
});

describe('configDiff', () => {
  it('names what the device lacks, what it has extra and what differs, by path in order', () => {
    const diff = configDiff(
      { interval: 10, net: { ssid: 'a', retries: 3 }, tags: ['x'] },
      { interval: 30, net: { ssid: 'a', proxy: 'p' }, tags: ['x'], legacy: true },
    );
    expect(diff).toEqual([
      { path: 'interval', change: 'changed', desired: 10, reported: 30 },
      { path: 'legacy', change: 'removed', reported: true },
      { path: 'net.proxy', change: 'removed', reported: 'p' },
      { path: 'net.retries', change: 'added', desired: 3 },
    ]);
  });

  it('compares arrays as wholes and is empty for equal documents', () => {
    expect(configDiff({ tags: ['a', 'b'] }, { tags: ['b', 'a'] })).toEqual([
      { path: 'tags', change: 'changed', desired: ['a', 'b'], reported: ['b', 'a'] },
    ]);
    expect(configDiff({ a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 2 }] } })).toEqual([]);
  });
});

describe('jsonEqual', () => {
  it('ignores key order and tells null, arrays and objects apart', () => {
    expect(jsonEqual({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true);
    expect(jsonEqual({ a: null }, { a: {} })).toBe(false);
    expect(jsonEqual([], {})).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
  });
});
