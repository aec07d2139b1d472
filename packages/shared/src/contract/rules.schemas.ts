import { z } from 'zod';
import { Coverage } from '../domain/coverage.ts';
import { DeviceId, Labels, MetricName, NodePath } from '../domain/ids.ts';
import { Cursor, Limit, pageOf } from '../domain/page.ts';
import { Severity } from '../domain/severity.ts';
import { Timestamp } from '../domain/time.ts';

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

export const RuleId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'rule id: 1–64 of A-Z, a-z, 0-9, "_", "-"');

const RuleBase = z.object({
  id: RuleId,
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
    /** Resolves only once the value is this far back on the good side: no flapping on noise. */
    hysteresis: z.number().min(0).default(0),
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
  z.object({
    kind: z.literal('event-match'),
    eventType: z.string().max(64),
    minSeverity: Severity,
    /** Resolves once no matching event has arrived for this long. */
    resolveAfterMs: Duration.min(1000).default(300_000),
  }),
]);
export type RuleCondition = z.infer<typeof RuleCondition>;

export const Rule = RuleBase.extend({ condition: RuleCondition });
export type Rule = z.infer<typeof Rule>;

/**
 * A rule as listed: where it is stored and evaluated, and whether the node's own (`local`) or the
 * fleet policy's (`policy`); a local rule overrides a policy rule of the same id. Absent from a
 * node that predates fleet policy.
 */
export const StoredRule = Rule.extend({ nodePath: NodePath, origin: z.enum(['local', 'policy']).optional() });
export type StoredRule = z.infer<typeof StoredRule>;

/** By node path, then id. */
export const ListRulesInput = z
  .object({ nodePath: NodePath.optional(), limit: Limit, cursor: Cursor.optional() })
  .prefault({});
export type ListRulesInput = z.infer<typeof ListRulesInput>;

export const RulePage = pageOf(StoredRule);
export type RulePage = z.infer<typeof RulePage>;

/** Stores the rule at `nodePath`, which evaluates it over its own devices. */
export const UpsertRuleInput = z.object({ nodePath: NodePath, rule: Rule });
export type UpsertRuleInput = z.infer<typeof UpsertRuleInput>;

export const RuleRef = z.object({ nodePath: NodePath, id: RuleId });
export type RuleRef = z.infer<typeof RuleRef>;

/** The longest window a preview replays: a week of history at most. */
export const RULE_PREVIEW_MAX_RANGE_MS = 7 * 24 * 3600 * 1000;
/** How many transitions a preview lists; the counts cover them all. */
export const RULE_PREVIEW_TIMELINE_LIMIT = 500;
/** How many devices a preview names, the ones it would have fired for most first. */
export const RULE_PREVIEW_DEVICE_LIMIT = 20;

/**
 * `rules.preview`: what `rule` would have done over [from, to) at `nodePath` and its subtree (every
 * node when unset), had it been in place: each node replays its own stored history through its rule
 * engine.
 */
export const PreviewRuleInput = z
  .object({ nodePath: NodePath.optional(), rule: Rule, from: Timestamp, to: Timestamp })
  .refine((input) => input.to > input.from, { message: 'to must be after from', path: ['to'] })
  .refine((input) => input.to - input.from <= RULE_PREVIEW_MAX_RANGE_MS, {
    message: 'a preview covers at most 7 days',
    path: ['from'],
  });
export type PreviewRuleInput = z.infer<typeof PreviewRuleInput>;

export const RulePreviewTransition = z.object({
  at: Timestamp,
  kind: z.enum(['fired', 'flapping', 'resolved']),
  nodePath: NodePath,
  deviceId: DeviceId,
  value: z.number().nullable(),
});
export type RulePreviewTransition = z.infer<typeof RulePreviewTransition>;

const Count = z.number().int().min(0);

/** The replay's outcome, summed over the nodes that answered (coverage names the rest). */
export const RulePreview = z.object({
  fired: Count,
  flapping: Count,
  resolved: Count,
  /** Devices by how often the rule would have fired for them, most first. */
  devices: z
    .array(z.object({ nodePath: NodePath, deviceId: DeviceId, fired: Count }))
    .max(RULE_PREVIEW_DEVICE_LIMIT),
  /** The first transitions in time order; `timelineComplete` says whether that is all of them. */
  timeline: z.array(RulePreviewTransition).max(RULE_PREVIEW_TIMELINE_LIMIT),
  timelineComplete: z.boolean(),
  /** The stored rows replayed, a measure of the preview's cost. */
  replayed: z.object({ samples: Count, events: Count }),
  coverage: Coverage,
});
export type RulePreview = z.infer<typeof RulePreview>;
