import { describe, expect, it } from 'vitest';
import { alertmanagerPayload, ZERO_TIME } from './alertmanager-payload.ts';
import { testChange } from './testing/test-alerts.ts';

describe('alertmanagerPayload', () => {
  it('builds the Alertmanager v4 webhook body for a firing alert', () => {
    const payload = alertmanagerPayload(testChange('fired'), 'firing', 'ops', {
      externalUrl: 'https://console.example.com/',
    });
    const labels = {
      alertname: 'Temperature high',
      severity: 'warning',
      rule_id: 'temp-high',
      node_path: 'district-1/probe-a',
      device: 'sensor-1',
    };
    const annotations = {
      summary: 'temp 31.5 > 30',
      alert_id: 'temp-high:sensor-1:1750000000000',
      value: '31.5',
    };
    expect(payload).toEqual({
      version: '4',
      groupKey:
        '{}:{alertname="Temperature high", device="sensor-1", node_path="district-1/probe-a", rule_id="temp-high", severity="warning"}',
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'ops',
      groupLabels: labels,
      commonLabels: labels,
      commonAnnotations: annotations,
      externalURL: 'https://console.example.com',
      alerts: [
        {
          status: 'firing',
          labels,
          annotations,
          startsAt: '2025-06-15T12:00:00.000Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL:
            'https://console.example.com/alerts?nodePath=district-1%2Fprobe-a&id=temp-high%3Asensor-1%3A1750000000000',
          fingerprint: 'temp-high:sensor-1',
        },
      ],
    });
  });

  it('ends a resolved alert at its resolution time and keeps the group key it fired with', () => {
    const firing = alertmanagerPayload(testChange('fired'), 'firing', 'ops');
    const resolved = alertmanagerPayload(testChange('resolved'), 'resolved', 'ops');
    expect(resolved.status).toBe('resolved');
    expect(resolved.alerts[0]).toMatchObject({ status: 'resolved', endsAt: '2025-06-15T12:01:00.000Z' });
    expect(resolved.groupKey).toBe(firing.groupKey);
    expect(firing.alerts[0]?.endsAt).toBe(ZERO_TIME);
  });

  it('labels a node-level alert with its subject and no device', () => {
    const payload = alertmanagerPayload(
      testChange('fired', { deviceId: null, subjectPath: 'district-1/probe-b', value: null }),
      'firing',
      'ops',
    );
    expect(payload.commonLabels).not.toHaveProperty('device');
    expect(payload.commonLabels).toMatchObject({ subject_path: 'district-1/probe-b' });
    expect(payload.commonAnnotations).not.toHaveProperty('value');
  });

  it('leaves the links empty when no console URL is known', () => {
    const payload = alertmanagerPayload(testChange('fired'), 'firing', 'ops');
    expect(payload.externalURL).toBe('');
    expect(payload.alerts[0]?.generatorURL).toBe('');
  });
});
