import { describe, expect, it } from 'vitest';
import { parseDeviceSearch } from './device-search.ts';
import { parseDevicesSearch } from './devices-search.ts';

describe('parseDevicesSearch', () => {
  it('reads the filters of a shared link', () => {
    expect(
      parseDevicesSearch({
        q: ' pump ',
        status: 'offline',
        label: 'room=2.14',
        node: 'district-1/probe-a',
        job: 'job-0001abcd',
      }),
    ).toEqual({
      q: 'pump',
      status: 'offline',
      label: 'room=2.14',
      node: 'district-1/probe-a',
      job: 'job-0001abcd',
    });
  });

  it('drops values that do not parse, so a mistyped link still opens', () => {
    expect(
      parseDevicesSearch({ status: 'sleeping', label: 'no-equals', node: 'Bad Path/', q: '   ', job: 'x' }),
    ).toEqual({
      q: undefined,
      status: undefined,
      label: undefined,
      node: undefined,
      job: undefined,
    });
  });

  it('has no filters for an empty query string', () => {
    expect(parseDevicesSearch({})).toEqual({});
  });
});

describe('parseDeviceSearch', () => {
  it('reads the owning node and the range', () => {
    expect(parseDeviceSearch({ node: 'probe-d', range: '7d' })).toEqual({ node: 'probe-d', range: '7d' });
  });

  it('drops a node path that is not one', () => {
    expect(parseDeviceSearch({ node: '../etc' }).node).toBeUndefined();
  });
});
