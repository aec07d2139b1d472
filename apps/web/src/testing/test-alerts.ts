// Alerts for the console's tests: one plausible alert, changed where a test says so.
import type { Alert } from '@tierscope/shared/schemas';

export function makeAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'hot:pump-1:1000',
    fingerprint: 'hot:pump-1',
    nodePath: 'district-1/probe-a',
    ruleId: 'hot',
    ruleName: 'Motor too hot',
    deviceId: 'pump-1',
    subjectPath: null,
    severity: 'critical',
    state: 'firing',
    summary: 'pump-1: motor_temp_c 58 > 45',
    value: 58,
    startedAt: 1000,
    updatedAt: 1000,
    resolvedAt: null,
    ack: null,
    silenced: false,
    stale: false,
    ...overrides,
  };
}
