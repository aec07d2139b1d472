import { describe, expect, it } from 'vitest';
import { alertsSearchOf, listInputOf, matchesFilters } from './alert-filters.ts';
import { parseAlertsSearch } from './alerts-search.ts';
import { makeAlert } from '../../testing/test-alerts.ts';

describe('the alerts page URL', () => {
  it('reads the filters of a shared link', () => {
    expect(
      parseAlertsSearch({
        state: 'firing',
        severity: 'critical',
        node: 'district-1',
        device: 'sim-s01-pump-1',
        q: ' motor ',
      }),
    ).toEqual({
      state: 'firing',
      severity: 'critical',
      node: 'district-1',
      device: 'sim-s01-pump-1',
      q: 'motor',
    });
  });

  it('drops values that do not parse, so a mistyped link still opens', () => {
    expect(
      parseAlertsSearch({ state: 'burning', severity: 'fatal', node: 'Bad/', device: 'a b', q: '  ' }),
    ).toEqual({
      state: undefined,
      severity: undefined,
      node: undefined,
      device: undefined,
      q: undefined,
    });
  });

  it('writes only what differs from the defaults', () => {
    expect(alertsSearchOf({ state: 'open', severity: 'critical', q: '' })).toEqual({ severity: 'critical' });
    expect(alertsSearchOf({ state: 'firing', node: 'probe-d' })).toEqual({
      state: 'firing',
      node: 'probe-d',
    });
  });

  it('round-trips what it writes', () => {
    const filters = {
      state: 'resolved',
      severity: 'warning',
      node: 'district-1/probe-a',
      device: 'x.1',
      q: 'co2',
    } as const;
    expect(parseAlertsSearch(alertsSearchOf(filters))).toEqual(filters);
  });
});

describe('filters', () => {
  it('asks alerts.list for open alerts by default, and for flapping ones with firing', () => {
    expect(listInputOf({})).toEqual({ states: ['pending', 'firing', 'flapping'] });
    expect(
      listInputOf({ state: 'firing', node: 'district-1', device: 'd', q: 'hot', severity: 'info' }),
    ).toEqual({
      states: ['firing', 'flapping'],
      nodePath: 'district-1',
      deviceId: 'd',
      search: 'hot',
      severity: 'info',
    });
  });

  it('matches in the browser as the server does: node subtree, text in summary, rule or device', () => {
    const alert = makeAlert({
      nodePath: 'district-1/probe-a',
      deviceId: 'pump-1',
      ruleName: 'Motor too hot',
    });
    expect(matchesFilters(alert, { node: 'district-1' })).toBe(true);
    expect(matchesFilters(alert, { node: 'district' })).toBe(false);
    expect(matchesFilters(alert, { q: 'MOTOR' })).toBe(true);
    expect(matchesFilters(alert, { q: 'pump-1' })).toBe(true);
    expect(matchesFilters(alert, { q: 'valve' })).toBe(false);
    expect(matchesFilters(alert, { device: 'pump-2' })).toBe(false);
    expect(matchesFilters(alert, { state: 'resolved' })).toBe(false);
    expect(matchesFilters(makeAlert({ state: 'flapping' }), { state: 'firing' })).toBe(true);
    expect(matchesFilters(makeAlert({ state: 'pending' }), { state: 'firing' })).toBe(false);
  });
});
