import { Webhook, type Alert, type AlertChange } from '@tierscope/shared';

const STARTED_AT = Date.UTC(2025, 5, 15, 12, 0, 0);

/** A firing alert of rule `temp-high` on device `sensor-1` at `district-1/probe-a`; override what a test needs. */
export function testAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'temp-high:sensor-1:1750000000000',
    fingerprint: 'temp-high:sensor-1',
    nodePath: 'district-1/probe-a',
    ruleId: 'temp-high',
    ruleName: 'Temperature high',
    deviceId: 'sensor-1',
    subjectPath: null,
    severity: 'warning',
    state: 'firing',
    summary: 'temp 31.5 > 30',
    value: 31.5,
    startedAt: STARTED_AT,
    updatedAt: STARTED_AT,
    resolvedAt: null,
    ack: null,
    silenced: false,
    stale: false,
    ...overrides,
  };
}

export function testChange(kind: AlertChange['kind'], overrides: Partial<Alert> = {}): AlertChange {
  const resolved = kind === 'resolved';
  const alert = testAlert({
    ...(resolved && { state: 'resolved', resolvedAt: STARTED_AT + 60_000, updatedAt: STARTED_AT + 60_000 }),
    ...overrides,
  });
  return { kind, at: alert.updatedAt, alert };
}

export function testWebhook(input: Record<string, unknown> = {}): Webhook {
  return Webhook.parse({ id: 'ops', url: 'https://hooks.example.com/alerts', ...input });
}
