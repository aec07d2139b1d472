import type { Alert, AlertChange } from '@tierscope/shared/schemas';
import { describe, expect, it } from 'vitest';
import {
  alertKey,
  applyStreamItems,
  criticalFiringCount,
  EMPTY_LIVE_ALERTS,
  firingCounts,
  MAX_RESOLVED_KEPT,
  mergeAlerts,
  newCriticalAlerts,
  overlayLive,
  selectAlerts,
  type StreamItem,
} from './alert-store.ts';
import { makeAlert } from '../../testing/test-alerts.ts';

const item = (kind: AlertChange['kind'], alert: Alert, at = alert.updatedAt, id?: string): StreamItem => ({
  id,
  change: { kind, at, alert },
});

describe('applyStreamItems', () => {
  it('adds fired alerts and remembers the id to resume after', () => {
    const a = makeAlert();
    const b = makeAlert({ id: 'hot:pump-2:1100', deviceId: 'pump-2', startedAt: 1100, updatedAt: 1100 });
    const state = applyStreamItems(EMPTY_LIVE_ALERTS, [
      item('fired', a, 1000, 'v1.a'),
      item('fired', b, 1100, 'v1.b'),
    ]);
    expect(selectAlerts(state, () => true).map((e) => e.alert.id)).toEqual([b.id, a.id]);
    expect(state.lastEventId).toBe('v1.b');
  });

  it('replaces an alert with its later change: acked, then resolved', () => {
    const fired = makeAlert();
    const acked = makeAlert({ updatedAt: 2000, ack: { by: 'ana', at: 2000, note: 'on it' } });
    const resolved = makeAlert({ updatedAt: 3000, state: 'resolved', resolvedAt: 3000, ack: acked.ack });
    let state = applyStreamItems(EMPTY_LIVE_ALERTS, [item('fired', fired)]);
    state = applyStreamItems(state, [item('acked', acked)]);
    expect(state.byKey.get(alertKey(fired))?.alert.ack?.note).toBe('on it');
    state = applyStreamItems(state, [item('resolved', resolved)]);
    expect(state.byKey.get(alertKey(fired))?.alert.state).toBe('resolved');
    expect(selectAlerts(state, (a) => a.state !== 'resolved')).toEqual([]);
  });

  it('keeps the same id on two owners apart', () => {
    const onA = makeAlert();
    const onB = makeAlert({ nodePath: 'probe-d' });
    const state = applyStreamItems(EMPTY_LIVE_ALERTS, [item('fired', onA), item('fired', onB)]);
    expect(state.byKey.size).toBe(2);
  });

  it('marks an alert stale with the time its owner went silent, and clears it when fresh', () => {
    const alert = makeAlert();
    let state = applyStreamItems(EMPTY_LIVE_ALERTS, [item('fired', alert)]);
    state = applyStreamItems(state, [item('stale', { ...alert, stale: true }, 50_000)]);
    expect(state.byKey.get(alertKey(alert))).toMatchObject({ staleSince: 50_000, alert: { stale: true } });
    // A second stale mark (a reconnect while still gone) keeps the first time.
    state = applyStreamItems(state, [item('stale', { ...alert, stale: true }, 60_000)]);
    expect(state.byKey.get(alertKey(alert))?.staleSince).toBe(50_000);
    state = applyStreamItems(state, [item('fresh', alert, 70_000)]);
    expect(state.byKey.get(alertKey(alert))).toMatchObject({ staleSince: null, alert: { stale: false } });
  });

  it('does not let an older copy overwrite a newer one', () => {
    const acked = makeAlert({ updatedAt: 2000, ack: { by: 'ana', at: 2000, note: '' } });
    let state = mergeAlerts(EMPTY_LIVE_ALERTS, [acked]);
    state = applyStreamItems(state, [item('fired', makeAlert())]);
    expect(state.byKey.get(alertKey(acked))?.alert.ack).not.toBeNull();
  });

  it('keeps every open alert but only the newest resolved ones', () => {
    const resolved = Array.from({ length: MAX_RESOLVED_KEPT + 10 }, (_, i) =>
      item(
        'resolved',
        makeAlert({ id: `r${i}`, state: 'resolved', updatedAt: 10_000 + i, resolvedAt: 10_000 + i }),
      ),
    );
    const state = applyStreamItems(EMPTY_LIVE_ALERTS, [
      item('fired', makeAlert({ updatedAt: 1 })),
      ...resolved,
    ]);
    expect(state.byKey.size).toBe(MAX_RESOLVED_KEPT + 1);
    expect(state.byKey.has(alertKey(makeAlert()))).toBe(true);
    expect(state.byKey.has(alertKey(makeAlert({ id: 'r0' })))).toBe(false);
    expect(state.byKey.has(alertKey(makeAlert({ id: `r${MAX_RESOLVED_KEPT + 9}` })))).toBe(true);
  });
});

describe('mergeAlerts', () => {
  it('adds what the stream has not sent (a lost child’s mirrored alerts)', () => {
    const mirrored = makeAlert({ nodePath: 'district-1/probe-c', stale: true });
    const state = mergeAlerts(EMPTY_LIVE_ALERTS, [mirrored]);
    expect(state.byKey.get(alertKey(mirrored))?.alert.stale).toBe(true);
  });

  it('loses against the resolution the stream delivered after the list was read', () => {
    const resolved = makeAlert({ updatedAt: 3000, state: 'resolved', resolvedAt: 3000 });
    let state = applyStreamItems(EMPTY_LIVE_ALERTS, [item('resolved', resolved)]);
    state = mergeAlerts(state, [makeAlert()]);
    expect(state.byKey.get(alertKey(resolved))?.alert.state).toBe('resolved');
  });

  it('takes a mutation’s answer over an equal copy, keeping the stream’s stale mark', () => {
    const alert = makeAlert({ stale: true });
    let state = applyStreamItems(EMPTY_LIVE_ALERTS, [item('stale', alert, 5000)]);
    const acked = makeAlert({ ack: { by: 'console', at: 1000, note: 'seen' } });
    state = mergeAlerts(state, [acked], 'confirmed');
    expect(state.byKey.get(alertKey(alert))).toMatchObject({
      staleSince: 5000,
      alert: { stale: true, ack: { note: 'seen' } },
    });
  });
});

describe('newCriticalAlerts', () => {
  const now = 100_000;

  it('announces a critical alert that fired just now', () => {
    const alert = makeAlert({ startedAt: now - 500, updatedAt: now - 500 });
    expect(newCriticalAlerts(EMPTY_LIVE_ALERTS, [item('fired', alert)], now)).toEqual([alert]);
  });

  it('stays quiet for the open alerts a stream starts with, warnings, and alerts already firing', () => {
    const old = makeAlert({ startedAt: 1000, updatedAt: 1000 });
    const warning = makeAlert({ id: 'w', severity: 'warning', updatedAt: now });
    const firing = makeAlert({ id: 'f', updatedAt: now });
    const before = applyStreamItems(EMPTY_LIVE_ALERTS, [item('fired', firing)]);
    expect(
      newCriticalAlerts(before, [item('fired', old), item('fired', warning), item('flapping', firing)], now),
    ).toEqual([]);
  });
});

describe('counts', () => {
  it('counts firing and flapping alerts by severity, and the unacked ones', () => {
    const state = mergeAlerts(EMPTY_LIVE_ALERTS, [
      makeAlert({ id: 'a' }),
      makeAlert({ id: 'b', state: 'flapping', ack: { by: 'ana', at: 1, note: '' } }),
      makeAlert({ id: 'c', state: 'pending' }),
      makeAlert({ id: 'd', state: 'resolved' }),
      makeAlert({ id: 'e', severity: 'warning' }),
    ]);
    expect(firingCounts(state)).toEqual({
      all: { critical: 2, warning: 1, info: 0 },
      unacked: { critical: 1, warning: 1, info: 0 },
    });
    expect(criticalFiringCount(state)).toBe(2);
  });
});

describe('overlayLive', () => {
  const resolvedOnly = (a: Alert) => a.state === 'resolved';
  const older = makeAlert({ id: 'old', startedAt: 100, updatedAt: 200, state: 'resolved', resolvedAt: 200 });
  const middle = makeAlert({ id: 'mid', startedAt: 500, updatedAt: 600, state: 'resolved', resolvedAt: 600 });

  it('shows each listed alert as the store has it when the store’s copy is as new', () => {
    const acked = { ...middle, updatedAt: 900, ack: { by: 'ana', at: 900, note: '' } };
    const store = mergeAlerts(EMPTY_LIVE_ALERTS, [acked]);
    const rows = overlayLive([middle, older], store, resolvedOnly, true);
    expect(rows.map((r) => [r.alert.id, r.alert.ack?.by ?? null])).toEqual([
      ['mid', 'ana'],
      ['old', null],
    ]);
  });

  it('adds alerts that resolved while the page was open, in order', () => {
    const justResolved = makeAlert({
      id: 'new',
      startedAt: 800,
      updatedAt: 1000,
      state: 'resolved',
      resolvedAt: 1000,
    });
    const stillFiring = makeAlert({ id: 'firing', startedAt: 900 });
    const store = mergeAlerts(EMPTY_LIVE_ALERTS, [justResolved, stillFiring]);
    expect(overlayLive([middle, older], store, resolvedOnly, true).map((r) => r.alert.id)).toEqual([
      'new',
      'mid',
      'old',
    ]);
  });

  it('leaves out what sorts after the loaded pages while more pages remain', () => {
    const oldest = makeAlert({
      id: 'oldest',
      startedAt: 10,
      updatedAt: 1000,
      state: 'resolved',
      resolvedAt: 1000,
    });
    const store = mergeAlerts(EMPTY_LIVE_ALERTS, [oldest]);
    expect(overlayLive([middle, older], store, resolvedOnly, false).map((r) => r.alert.id)).toEqual([
      'mid',
      'old',
    ]);
    expect(overlayLive([middle, older], store, resolvedOnly, true).map((r) => r.alert.id)).toEqual([
      'mid',
      'old',
      'oldest',
    ]);
  });

  it('drops a listed alert whose newer copy no longer matches', () => {
    const reopened = { ...older, state: 'firing' as const, updatedAt: 5000, resolvedAt: null };
    const store = mergeAlerts(EMPTY_LIVE_ALERTS, [reopened]);
    expect(overlayLive([older], store, resolvedOnly, true)).toEqual([]);
  });
});
