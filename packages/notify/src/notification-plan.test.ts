import { describe, expect, it } from 'vitest';
import type { AlertChange } from '@tierscope/shared';
import { notificationsFor } from './notification-plan.ts';
import { testChange, testWebhook } from './testing/test-alerts.ts';

const alertSeq = (seq: number) => ({ source: 'alert' as const, seq });
const NOW = Date.UTC(2025, 5, 15, 12, 5, 0);

const planned = (change: AlertChange, webhooks = [testWebhook()]) =>
  notificationsFor(change, alertSeq(42), webhooks, NOW).map((row) => row.webhookId);

describe('notificationsFor', () => {
  it('makes one outbox row per selecting webhook, due now, keyed by change and fingerprint', () => {
    const rows = notificationsFor(
      testChange('fired'),
      alertSeq(42),
      [testWebhook(), testWebhook({ id: 'chat' })],
      NOW,
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      webhookId: 'ops',
      changeSeq: 42,
      fingerprint: 'temp-high:sensor-1',
      createdAt: NOW,
      nextAttemptAt: NOW,
      payload: { version: '4', status: 'firing', receiver: 'ops' },
    });
    expect(rows[1]?.payload).toMatchObject({ receiver: 'chat' });
  });

  it('notifies fired and flapping as firing, and resolved as resolved', () => {
    expect(notificationsFor(testChange('fired'), alertSeq(1), [testWebhook()], NOW)[0]?.payload.status).toBe(
      'firing',
    );
    expect(
      notificationsFor(testChange('flapping'), alertSeq(1), [testWebhook()], NOW)[0]?.payload.status,
    ).toBe('firing');
    expect(
      notificationsFor(testChange('resolved'), alertSeq(1), [testWebhook()], NOW)[0]?.payload.status,
    ).toBe('resolved');
  });

  it.each(['pending', 'acked', 'unacked', 'stale', 'fresh'] as const)('notifies nobody of %s', (kind) => {
    expect(planned(testChange(kind))).toEqual([]);
  });

  it('notifies nobody of a silenced alert, firing or resolved', () => {
    expect(planned(testChange('fired', { silenced: true }))).toEqual([]);
    expect(planned(testChange('resolved', { silenced: true }))).toEqual([]);
  });

  it('sends resolved only to webhooks that want it', () => {
    const webhooks = [testWebhook(), testWebhook({ id: 'quiet', sendResolved: false })];
    expect(planned(testChange('resolved'), webhooks)).toEqual(['ops']);
    expect(planned(testChange('fired'), webhooks)).toEqual(['ops', 'quiet']);
  });

  it('skips alerts below a webhook minimum severity (warning by default)', () => {
    const webhooks = [testWebhook(), testWebhook({ id: 'pager', minSeverity: 'critical' })];
    expect(planned(testChange('fired', { severity: 'info' }), webhooks)).toEqual([]);
    expect(planned(testChange('fired', { severity: 'warning' }), webhooks)).toEqual(['ops']);
    expect(planned(testChange('fired', { severity: 'critical' }), webhooks)).toEqual(['ops', 'pager']);
  });

  it('matches the device id against a glob; an alert without a device never matches one', () => {
    const webhooks = [testWebhook({ matchers: { devicePattern: 'sensor-?' } })];
    expect(planned(testChange('fired', { deviceId: 'sensor-7' }), webhooks)).toEqual(['ops']);
    expect(planned(testChange('fired', { deviceId: 'sensor-17' }), webhooks)).toEqual([]);
    expect(
      planned(testChange('fired', { deviceId: 'pump.1' }), [
        testWebhook({ matchers: { devicePattern: 'pump*' } }),
      ]),
    ).toEqual(['ops']);
    expect(planned(testChange('fired', { deviceId: null }), webhooks)).toEqual([]);
  });

  it('matches the rule id exactly', () => {
    const webhooks = [testWebhook({ matchers: { ruleId: 'temp-high' } })];
    expect(planned(testChange('fired'), webhooks)).toEqual(['ops']);
    expect(planned(testChange('fired', { ruleId: 'temp-higher' }), webhooks)).toEqual([]);
  });

  it('matches a node path and its subtree, not a sibling sharing its prefix', () => {
    const webhooks = [testWebhook({ matchers: { nodePath: 'district-1/probe-a' } })];
    expect(planned(testChange('fired', { nodePath: 'district-1/probe-a' }), webhooks)).toEqual(['ops']);
    expect(planned(testChange('fired', { nodePath: 'district-1/probe-a/room-2' }), webhooks)).toEqual([
      'ops',
    ]);
    expect(planned(testChange('fired', { nodePath: 'district-1/probe-ab' }), webhooks)).toEqual([]);
    expect(planned(testChange('fired', { nodePath: 'district-1' }), webhooks)).toEqual([]);
  });

  it('places a node-level alert at its subject for the node path matcher', () => {
    const webhooks = [testWebhook({ matchers: { nodePath: 'district-1/probe-a' } })];
    const unreachable = testChange('fired', {
      nodePath: 'district-1',
      deviceId: null,
      subjectPath: 'district-1/probe-a',
    });
    expect(planned(unreachable, webhooks)).toEqual(['ops']);
  });

  it('needs every matcher to match', () => {
    const webhooks = [testWebhook({ matchers: { ruleId: 'temp-high', devicePattern: 'pump-*' } })];
    expect(planned(testChange('fired'), webhooks)).toEqual([]);
  });
});

describe('routes of kind pagerduty and the new matchers', () => {
  const pd = testWebhook({
    id: 'pd',
    kind: 'pagerduty',
    routingKey: 'KEY',
    url: 'https://events.example.com/v2',
  });

  it('trigger, acknowledge and resolve carry the alert id as dedup_key and never the routing key', () => {
    const events = (['fired', 'acked', 'resolved'] as const).map(
      (kind) => notificationsFor(testChange(kind), alertSeq(1), [pd], NOW)[0]?.payload,
    );
    expect(events.map((event) => event?.event_action)).toEqual(['trigger', 'acknowledge', 'resolve']);
    expect(new Set(events.map((event) => event?.dedup_key))).toEqual(new Set([testChange('fired').alert.id]));
    expect(JSON.stringify(events)).not.toContain('KEY');
  });

  it('an Alertmanager route hears no ack', () => {
    expect(notificationsFor(testChange('acked'), alertSeq(1), [testWebhook()], NOW)).toEqual([]);
  });

  it('selects by severities and by the alert labels', () => {
    const route = (matchers: Record<string, unknown>) => testWebhook({ minSeverity: 'info', matchers });
    expect(planned(testChange('fired'), [route({ severities: ['critical'] })])).toEqual([]);
    expect(planned(testChange('fired'), [route({ severities: ['warning'] })])).toEqual(['ops']);
    expect(planned(testChange('fired'), [route({ labels: { device: 'sensor-1' } })])).toEqual(['ops']);
    expect(planned(testChange('fired'), [route({ labels: { device: 'sensor-2' } })])).toEqual([]);
  });
});
