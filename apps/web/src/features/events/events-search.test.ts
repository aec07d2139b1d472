import { describe, expect, it } from 'vitest';
import { eventsRange, parseEventsSearch } from './events-search.ts';

describe('parseEventsSearch', () => {
  it('reads query, severity and range', () => {
    const search = parseEventsSearch({ q: 'door -test', severity: 'critical', range: '7d' });
    expect(search).toEqual({ q: 'door -test', severity: 'critical', range: '7d' });
    expect(eventsRange(search)).toEqual({ kind: 'preset', preset: '7d' });
  });

  it('reads the node filter, and drops one that is not a node path', () => {
    expect(parseEventsSearch({ node: 'district-1/probe-a' }).node).toBe('district-1/probe-a');
    expect(parseEventsSearch({ node: '../probe-a' }).node).toBeUndefined();
  });

  it('drops an unknown severity and defaults to the last 24 hours', () => {
    const search = parseEventsSearch({ severity: 'fatal' });
    expect(search.severity).toBeUndefined();
    expect(eventsRange(search)).toEqual({ kind: 'preset', preset: '24h' });
  });

  it('reads an absolute range', () => {
    expect(
      eventsRange(parseEventsSearch({ from: '2026-11-20T00:00:00Z', to: '2026-11-21T00:00:00Z' })),
    ).toEqual({
      kind: 'absolute',
      from: Date.UTC(2026, 10, 20),
      to: Date.UTC(2026, 10, 21),
    });
  });
});
