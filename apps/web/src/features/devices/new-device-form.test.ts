import { describe, expect, it } from 'vitest';
import { EMPTY_NEW_DEVICE, readLabels, readNewDevice } from './new-device-form.ts';

describe('readLabels', () => {
  it('reads key=value pairs, trimmed, and nothing from an empty text', () => {
    expect(readLabels(' floor=2 ; room = 2.14;')).toEqual({ labels: { floor: '2', room: '2.14' } });
    expect(readLabels('')).toEqual({ labels: {} });
  });

  it('names a pair without a key or a key given twice', () => {
    expect(readLabels('floor')).toEqual({ error: '"floor" is not key=value' });
    expect(readLabels('a=1;a=2')).toEqual({ error: '"a" twice' });
  });
});

describe('readNewDevice', () => {
  it('gives the create input with the node, trimmed id and labels', () => {
    expect(
      readNewDevice({
        nodePath: 'district-1/probe-a',
        deviceId: ' pump-9 ',
        name: 'Pump 9',
        kind: 'pump',
        site: 'north',
        labels: 'floor=1',
      }),
    ).toEqual({
      ok: true,
      input: {
        nodePath: 'district-1/probe-a',
        deviceId: 'pump-9',
        name: 'Pump 9',
        kind: 'pump',
        site: 'north',
        labels: { floor: '1' },
      },
    });
  });

  it('marks each field at fault: no node, no name, a bad id, bad labels', () => {
    const reading = readNewDevice({ ...EMPTY_NEW_DEVICE, deviceId: 'has space', labels: 'x' });
    expect(reading.ok).toBe(false);
    if (reading.ok) return;
    expect(Object.keys(reading.errors).sort()).toEqual(['deviceId', 'labels', 'name', 'nodePath']);
  });
});
