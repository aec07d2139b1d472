import { z } from 'zod';
import { CommandDeclarations } from './commands.schemas.ts';
import { MetricName, NodeId, NodePath } from '../domain/ids.ts';
import { Severity } from '../domain/severity.ts';
import { Timestamp } from '../domain/time.ts';
import { SilenceMatchers } from './alerts.schemas.ts';
import { Rule } from './rules.schemas.ts';

// Fleet policy (docs/decisions/0021-fleet-policy.md): bundles authored at a federating tier,
// published as immutable versions and rolled out down every tier, canaries first.

/** Every given matcher must match; a node path matches itself and its subtree. */
export const WebhookMatchers = z
  .object({
    /** Glob on the device id (`*`, `?`); an alert without a device never matches it. */
    devicePattern: z.string().min(1).max(128).optional(),
    ruleId: z.string().min(1).max(64).optional(),
    nodePath: NodePath.optional(),
    /** Only these severities (with the route's minSeverity). */
    severities: z.array(Severity).min(1).max(3).optional(),
    /**
     * Each label equal: the alert's notification labels (`alertname`, `severity`, `rule_id`,
     * `node_path`, `device`, `subject_path`), the ones an Alertmanager receiver sees.
     */
    labels: z.record(z.string().regex(/^[a-z_]{1,32}$/), z.string().max(300)).optional(),
  })
  .strict();
export type WebhookMatchers = z.infer<typeof WebhookMatchers>;

const RouteId = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'webhook id: 1–64 of A-Z, a-z, 0-9, ".", "_", "-"');

/**
 * One route: for the alerts it selects, `alertmanager` POSTs Alertmanager v4 JSON to `url`;
 * `pagerduty` POSTs PagerDuty Events v2 (trigger, acknowledge, resolve, `dedup_key` = the alert's
 * id) to `url` (`https://events.pagerduty.com/v2/enqueue`) with its `routingKey`.
 */
export const Webhook = z
  .object({
    /** Names the receiver in the payload, the metrics and the outbox rows. */
    id: RouteId,
    url: z.url({ protocol: /^https?$/, error: 'url: an http:// or https:// URL' }).max(2048),
    minSeverity: Severity.default('warning'),
    matchers: WebhookMatchers.optional(),
    sendResolved: z.boolean().default(true),
    /** One request's whole budget (connect, send, answer); the delivery lease is derived from it. */
    timeoutMs: z.number().int().min(100).max(30_000).default(10_000),
    /** Unset: `alertmanager`. */
    kind: z.enum(['alertmanager', 'pagerduty']).optional(),
    /** The PagerDuty service's integration key: required by, and only for, `pagerduty`. */
    routingKey: z.string().min(1).max(64).optional(),
  })
  .strict()
  .refine((route) => (route.kind === 'pagerduty') === (route.routingKey !== undefined), {
    path: ['routingKey'],
    message: 'routingKey: required for a pagerduty route, and only for it',
  });
export type Webhook = z.infer<typeof Webhook>;

/**
 * Whom an escalation step tells: a console user (through the channels their profile at the BFF
 * names; only the BFF knows users), an email address, or a route of the tier (a PagerDuty service).
 */
export const NotifyTarget = z.union([
  z.object({ user: z.string().min(1).max(128) }).strict(),
  z.object({ email: z.email().max(254) }).strict(),
  z.object({ route: RouteId }).strict(),
]);
export type NotifyTarget = z.infer<typeof NotifyTarget>;

export const EscalationStep = z
  .object({
    /** Minutes after the alert fired when this step is told, if nobody has acked it by then. */
    afterMinutes: z.number().min(0).max(1440),
    notify: z.array(NotifyTarget).min(1).max(20),
  })
  .strict();
export type EscalationStep = z.infer<typeof EscalationStep>;

/**
 * Who is told about the alerts it selects, step by step while nobody acks; an ack stops it, and
 * the resolve goes to everyone told (docs/decisions/0026-on-call.md).
 */
export const EscalationPolicy = z
  .object({
    id: RouteId,
    minSeverity: Severity.default('warning'),
    matchers: WebhookMatchers.optional(),
    /** In order of `afterMinutes`. */
    steps: z
      .array(EscalationStep)
      .min(1)
      .max(10)
      .refine(
        (steps) => steps.every((step, i) => i === 0 || step.afterMinutes >= steps[i - 1]!.afterMinutes),
        'steps: in order of afterMinutes',
      ),
    /** After the last step, its targets are told again this often while nobody acks; unset: once. */
    repeatMinutes: z.number().min(1).max(1440).optional(),
    sendResolved: z.boolean().default(true),
  })
  .strict();
export type EscalationPolicy = z.infer<typeof EscalationPolicy>;

/**
 * Where a bundle applies, in the authoring tier's paths: `**` (its whole subtree, itself
 * included), `district-1/**` (that node and everything under it) or `district-1/probe-a` (one node).
 */
export const PolicyTarget = z
  .string()
  .max(520)
  .refine(
    (target) => target === '**' || NodePath.safeParse(target.replace(/\/\*\*$/, '')).success,
    'target: "**", "<node path>/**" or "<node path>"',
  );
export type PolicyTarget = z.infer<typeof PolicyTarget>;

/** A silence or maintenance window a bundle sets, for the alerts of the nodes it reaches. */
export const PolicySilence = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'silence id: 1–64 of A-Z, a-z, 0-9, "_", "-"'),
  kind: z.enum(['silence', 'maintenance']).default('silence'),
  matchers: SilenceMatchers,
  startsAt: Timestamp,
  endsAt: Timestamp,
  comment: z.string().max(1000).default(''),
});
export type PolicySilence = z.infer<typeof PolicySilence>;

/** How long a node keeps raw samples and rollups; an unset field leaves the node's own setting. */
export const PolicyRetention = z.object({
  rawDays: z.number().int().min(1).max(3650).optional(),
  rollupDays: z.number().int().min(1).max(36_500).optional(),
});
export type PolicyRetention = z.infer<typeof PolicyRetention>;

const MAX_RULES = 500;

/** What one bundle sets for the nodes its target reaches. */
export const PolicyBundle = z.object({
  /** Names the bundle in diffs and rejections. */
  name: z.string().min(1).max(100),
  target: PolicyTarget,
  rules: z.array(Rule).max(MAX_RULES).default([]),
  silences: z.array(PolicySilence).max(200).default([]),
  /** Notification routes; each node still sends only where its own WEBHOOK_ALLOWLIST allows. */
  routes: z.array(Webhook).max(50).default([]),
  escalations: z.array(EscalationPolicy).max(50).optional(),
  retention: PolicyRetention.default({}),
  /** What a node does with a device it has not registered; unset leaves the node's own setting. */
  unknownDevices: z.enum(['register', 'reject']).optional(),
  /**
   * Metrics the bundle's rules may name before any device has sent them (a rule on a metric the
   * node has never stored, and not declared here, is refused as a likely typo).
   */
  declaredMetrics: z.array(MetricName).max(500).default([]),
  /**
   * The commands devices of each kind take, with their parameters' schema: a node refuses any
   * other command, or these with other parameters, before it reaches a device. Merged by kind and
   * command name, the nearer bundle winning.
   */
  commands: CommandDeclarations.optional(),
});
export type PolicyBundle = z.infer<typeof PolicyBundle>;

/** A policy version's content: what its hash covers. */
export const PolicyContent = z.object({ bundles: z.array(PolicyBundle).max(100) });
export type PolicyContent = z.infer<typeof PolicyContent>;

/** `sha256:<hex>` of a version's content in canonical JSON. */
export const PolicyHash = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'policy hash: sha256:<64 hex>');

/**
 * Where a version's rollout stands: `canary` (only the canaries take it; the rest keep the previous
 * version), `released` (every node takes it), `halted` (a canary rejected it or fell ill: the rest
 * never take it).
 */
export const RolloutPhase = z.enum(['canary', 'released', 'halted']);
export type RolloutPhase = z.infer<typeof RolloutPhase>;

const HoldMs = z
  .number()
  .int()
  .min(0)
  .max(24 * 3600 * 1000);

export const PolicyVersionSummary = z.object({
  /** The authoring tier: the BFF's or a district's node id. */
  author: z.string().max(64),
  version: z.number().int().min(1),
  hash: PolicyHash,
  comment: z.string().max(1000),
  publishedBy: z.string().max(128),
  publishedAt: Timestamp,
  /** In the author's paths. */
  canaries: z.array(NodePath).max(50),
  canaryHoldMs: HoldMs,
  phase: RolloutPhase,
  /** Why a rollout halted; null otherwise. */
  haltReason: z.string().max(2000).nullable(),
  /** The version this one was rolled back to, for a rollback. */
  rollbackOf: z.number().int().min(1).nullable(),
  /** The version the other nodes keep while this one is with the canaries. */
  previousVersion: z.number().int().min(1).nullable(),
});
export type PolicyVersionSummary = z.infer<typeof PolicyVersionSummary>;

export const PolicyVersion = PolicyVersionSummary.extend({ content: PolicyContent });
export type PolicyVersion = z.infer<typeof PolicyVersion>;

/**
 * One author's policy as a parent sends it down: the current version, and while it is with its
 * canaries the previous one the others keep. `selfPath` is the receiving node's path in the
 * author's paths ('' at the author itself when it is the root).
 */
export const PolicyDocument = z.object({
  author: z.string().max(64),
  selfPath: z.string().max(512),
  current: z.object({ version: z.number().int().min(1), hash: PolicyHash, content: PolicyContent }),
  previous: z
    .object({ version: z.number().int().min(1), hash: PolicyHash, content: PolicyContent })
    .nullable(),
  canaries: z.array(NodePath).max(50),
  phase: RolloutPhase,
});
export type PolicyDocument = z.infer<typeof PolicyDocument>;

/** What a parent wants a child to hold: its ancestors' documents, root-most first. */
export const DesiredPolicy = z.object({ documents: z.array(PolicyDocument).max(16) });
export type DesiredPolicy = z.infer<typeof DesiredPolicy>;

/** One author's version as a node took it. */
export const AppliedPolicyVersion = z.object({
  author: z.string().max(64),
  version: z.number().int().min(1),
  hash: PolicyHash,
});
export type AppliedPolicyVersion = z.infer<typeof AppliedPolicyVersion>;

export const PolicyRejection = z.object({
  author: z.string().max(64),
  version: z.number().int().min(1),
  reason: z.string().max(2000),
  at: Timestamp,
});
export type PolicyRejection = z.infer<typeof PolicyRejection>;

/** A node's policy as `node.info` reports it, so every tier above can show drift. */
export const NodePolicyState = z.object({
  /** The hash of the DesiredPolicy it last received and stored; null before any. */
  desiredHash: PolicyHash.nullable(),
  /** The versions in force, one per author whose policy reaches it. */
  applied: z.array(AppliedPolicyVersion).max(16),
  appliedAt: Timestamp.nullable(),
  /** The last desired policy it refused (and kept the applied one instead); null once one applies. */
  rejection: PolicyRejection.nullable(),
});
export type NodePolicyState = z.infer<typeof NodePolicyState>;

/** `policy.receive`'s answer: the child's state after it took (or refused) what it was sent. */
export const PolicyApplyResult = z.object({ state: NodePolicyState });
export type PolicyApplyResult = z.infer<typeof PolicyApplyResult>;

/** The tier that authors: `nodePath` names a federating node below; unset is the tier called. */
const AuthorRef = { nodePath: NodePath.optional() };

export const PublishPolicyInput = z.object({
  ...AuthorRef,
  content: PolicyContent,
  comment: z.string().max(1000).default(''),
  /** Nodes (in the author's paths) that take the version first; the rest wait for them. */
  canaries: z.array(NodePath).max(50).default([]),
  /** How long every canary must have applied it and stayed healthy before the rest take it. */
  canaryHoldMs: HoldMs.default(30_000),
});
export type PublishPolicyInput = z.infer<typeof PublishPolicyInput>;

/** Republishes `version`'s content as a new version, released to every node at once. */
export const RollbackPolicyInput = z.object({
  ...AuthorRef,
  version: z.number().int().min(1),
  comment: z.string().max(1000).default(''),
});
export type RollbackPolicyInput = z.infer<typeof RollbackPolicyInput>;

export const ListPolicyVersionsInput = z.object({ ...AuthorRef }).prefault({});
export type ListPolicyVersionsInput = z.infer<typeof ListPolicyVersionsInput>;

/** Newest first, at most `POLICY_VERSIONS_LISTED`. */
export const POLICY_VERSIONS_LISTED = 200;
export const PolicyVersionList = z.object({
  author: z.string().max(64),
  versions: z.array(PolicyVersionSummary).max(POLICY_VERSIONS_LISTED),
});
export type PolicyVersionList = z.infer<typeof PolicyVersionList>;

export const PolicyVersionRef = z.object({ ...AuthorRef, version: z.number().int().min(1) });
export type PolicyVersionRef = z.infer<typeof PolicyVersionRef>;

export const PolicyStatusInput = z.object({ ...AuthorRef }).prefault({});
export type PolicyStatusInput = z.infer<typeof PolicyStatusInput>;

/**
 * One node as the author sees it: `applied` (it runs the version meant for it), `pending` (not
 * yet), `rejected` (it refused that version, `rejection` says why), `unreachable` (its parent lost
 * it: `applied` is what it last reported, `lastSeenAgeMs` ago).
 */
export const PolicyNodeStatus = z.object({
  path: NodePath,
  state: z.enum(['applied', 'pending', 'rejected', 'unreachable']),
  /** The version meant for it now (the previous one while it waits for canaries); null for none. */
  desiredVersion: z.number().int().min(1).nullable(),
  appliedVersion: z.number().int().min(1).nullable(),
  appliedAt: Timestamp.nullable(),
  rejection: PolicyRejection.nullable(),
  canary: z.boolean(),
  lastSeenAgeMs: z.number().min(0).nullable(),
});
export type PolicyNodeStatus = z.infer<typeof PolicyNodeStatus>;

export const PolicyStatus = z.object({
  author: NodeId.or(z.string().max(64)),
  current: PolicyVersionSummary.nullable(),
  nodes: z.array(PolicyNodeStatus).max(10_000),
});
export type PolicyStatus = z.infer<typeof PolicyStatus>;
