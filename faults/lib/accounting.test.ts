import { describe, expect, it } from 'vitest';
import { benchMessage, SAMPLES_PER_MESSAGE } from '../../bench/lib/payloads.ts';
import { accountAlerts, accountSamples, accountStream, parseAcked, type StoredGroup } from './accounting.ts';

const t0 = Date.UTC(2026, 0, 1);
/** How the probe stores message `m`: its four metrics at the message's device and time. */
const stored = (
  m: number,
  rows: number = SAMPLES_PER_MESSAGE,
  metrics: number = SAMPLES_PER_MESSAGE,
): StoredGroup => {
  const message = benchMessage(m, t0);
  return { deviceId: message.deviceId, ts: message.ts, rows, metrics };
};

describe('parseAcked', () => {
  it('reads one message number a line and ignores a last line a SIGKILL cut short', () => {
    expect(parseAcked('1\n2\n30')).toEqual([1, 2]);
    expect(parseAcked('1\n2\n')).toEqual([1, 2]);
    expect(parseAcked('')).toEqual([]);
  });
});

describe('accountSamples', () => {
  it('counts nothing when every acked message is stored once', () => {
    expect(accountSamples([0, 1, 2], [stored(0), stored(1), stored(2)], t0)).toEqual({
      acked: 3 * SAMPLES_PER_MESSAGE,
      ackedMissing: 0,
      duplicates: 0,
    });
  });

  it('counts the samples of an acked message that was not stored, and of one stored in part', () => {
    const counts = accountSamples([0, 1, 2], [stored(0), stored(2, 1, 1)], t0);
    expect(counts.ackedMissing).toBe(SAMPLES_PER_MESSAGE + SAMPLES_PER_MESSAGE - 1);
  });

  it('counts a sample stored twice as a duplicate, acked or not', () => {
    expect(accountSamples([0], [stored(0, 5), stored(7, 6)], t0).duplicates).toBe(1 + 2);
  });

  it('does not hold a message that was never acked against the run', () => {
    expect(accountSamples([0], [stored(0), stored(1)], t0).ackedMissing).toBe(0);
  });

  it('counts an acked message once, however often its number was logged', () => {
    expect(accountSamples([4, 4], [], t0).ackedMissing).toBe(SAMPLES_PER_MESSAGE);
  });
});

describe('accountAlerts', () => {
  let ids = 0;
  const alert = (deviceId: string, state: string, ruleId = 'r') => ({
    id: `${deviceId}-${ids++}`,
    deviceId,
    ruleId,
    state,
  });

  it('counts nothing when each episode is listed once, the last one open while the device violates', () => {
    const expected = new Map([
      ['a', { fired: 2, cleared: false }],
      ['b', { fired: 1, cleared: true }],
    ]);
    const listed = [alert('a', 'resolved'), alert('a', 'firing'), alert('b', 'resolved')];
    expect(accountAlerts(expected, listed, 'r')).toEqual({ missing: 0, duplicates: 0 });
  });

  it('counts an episode the BFF does not list as missing', () => {
    const expected = new Map([['a', { fired: 2, cleared: true }]]);
    expect(accountAlerts(expected, [alert('a', 'resolved')], 'r')).toEqual({ missing: 1, duplicates: 0 });
  });

  it('counts a resolution the BFF does not show as missing', () => {
    const expected = new Map([['a', { fired: 1, cleared: true }]]);
    expect(accountAlerts(expected, [alert('a', 'firing')], 'r')).toEqual({ missing: 1, duplicates: 0 });
  });

  it('counts an episode listed twice as a duplicate', () => {
    const expected = new Map([['a', { fired: 1, cleared: true }]]);
    const listed = [alert('a', 'resolved'), alert('a', 'resolved')];
    expect(accountAlerts(expected, listed, 'r')).toEqual({ missing: 0, duplicates: 1 });
  });

  it("ignores other rules' alerts on the same device", () => {
    const expected = new Map([['a', { fired: 1, cleared: false }]]);
    const listed = [alert('a', 'firing'), alert('a', 'firing', 'node-unreachable')];
    expect(accountAlerts(expected, listed, 'r')).toEqual({ missing: 0, duplicates: 0 });
  });
});

describe('accountStream', () => {
  const listed = [
    { id: 'a1', deviceId: 'a', ruleId: 'r', state: 'resolved' },
    { id: 'a2', deviceId: 'a', ruleId: 'r', state: 'firing' },
  ];

  it('counts nothing when each listed alert fired once on the stream and resolved once if resolved', () => {
    const streamed = new Map([
      ['a1', { fired: 1, resolved: 1 }],
      ['a2', { fired: 1, resolved: 0 }],
    ]);
    expect(accountStream(listed, streamed, 'r')).toEqual({ missing: 0, duplicates: 0 });
  });

  it('counts a change the stream never delivered as missing', () => {
    const streamed = new Map([['a1', { fired: 1, resolved: 0 }]]);
    expect(accountStream(listed, streamed, 'r')).toEqual({ missing: 2, duplicates: 0 });
  });

  it('counts a change delivered twice, or for an alert nobody lists, as a duplicate', () => {
    const streamed = new Map([
      ['a1', { fired: 2, resolved: 1 }],
      ['a2', { fired: 1, resolved: 0 }],
      ['ghost', { fired: 1, resolved: 0 }],
    ]);
    expect(accountStream(listed, streamed, 'r')).toEqual({ missing: 0, duplicates: 2 });
  });
});
