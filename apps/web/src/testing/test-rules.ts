// A rule for the console's tests: a plain threshold on temperature over every device.
import type { Rule } from '@tierscope/shared/schemas';

export const HOT_RULE: Rule = {
  id: 'hot',
  name: 'Too hot',
  severity: 'critical',
  enabled: true,
  scope: { devicePattern: '*', labels: {} },
  condition: { kind: 'threshold', metric: 'temp', operator: '>', value: 90, hysteresis: 0, forMs: 0 },
};
