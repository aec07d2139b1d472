import { z } from 'zod';
import { Labels, MetricName } from '../domain/ids.ts';
import { Severity } from '../domain/severity.ts';

const Duration = z
  .number()
  .int()
  .min(0)
  .max(7 * 24 * 3600 * 1000);

/** Which devices a rule watches: a glob on the device id (`*` and `?`) and labels all equal. */
export const RuleScope = z.object({
  devicePattern: z.string().max(128).default('*'),
  labels: Labels.default({}),
});

const RuleBase = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  name: z.string().min(1).max(200),
  severity: Severity,
  enabled: z.boolean().default(true),
  scope: RuleScope,
});

export const RuleCondition = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('threshold'),
    metric: MetricName,
    operator: z.enum(['>', '>=', '<', '<=']),
    value: z.number(),
    forMs: Duration,
  }),
  z.object({ kind: z.literal('no-data'), metric: MetricName.optional(), forMs: Duration.min(1000) }),
  z.object({
    kind: z.literal('rate-of-change'),
    metric: MetricName,
    /** Change per minute whose absolute value fires the rule. */
    perMinute: z.number().positive(),
    forMs: Duration,
  }),
  z.object({ kind: z.literal('device-offline'), forMs: Duration }),
  z.object({ kind: z.literal('event-match'), eventType: z.string().max(64), minSeverity: Severity }),
]);
export type RuleCondition = z.infer<typeof RuleCondition>;

export const Rule = RuleBase.extend({ condition: RuleCondition });
export type Rule = z.infer<typeof Rule>;
