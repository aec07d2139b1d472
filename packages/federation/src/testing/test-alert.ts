import type { Alert } from '@tierscope/shared';

/** A `hot` rule's alert on one device, for tests: its id is the device and the time it started. */
export function testAlert(
  deviceId: string,
  startedAt: number,
  state: Alert['state'] = 'firing',
): Omit<Alert, 'nodePath'> {
  return {
    id: `hot:${deviceId}:${startedAt}`,
    fingerprint: `hot:${deviceId}`,
    ruleId: 'hot',
    ruleName: 'Too hot',
    deviceId,
    subjectPath: null,
    severity: 'critical',
    state,
    summary: `${deviceId} too hot`,
    value: 40,
    startedAt,
    updatedAt: startedAt,
    resolvedAt: state === 'resolved' ? startedAt + 1 : null,
    ack: null,
    silenced: false,
    stale: false,
  };
}
