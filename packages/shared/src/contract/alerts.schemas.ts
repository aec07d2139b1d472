import { z } from 'zod';
import { DeviceId, NodePath } from '../domain/ids.ts';
import { Cursor, Limit, pageOf } from '../domain/page.ts';
import { Severity } from '../domain/severity.ts';
import { Timestamp } from '../domain/time.ts';

/** `flapping`: the condition crossed its threshold too often to be trusted either way; it fires once. */
export const AlertState = z.enum(['pending', 'firing', 'flapping', 'resolved']);
export type AlertState = z.infer<typeof AlertState>;

/** Pending, firing and flapping alerts are open; resolved ones are history. */
export const OPEN_ALERT_STATES: readonly AlertState[] = ['pending', 'firing', 'flapping'];

export const AlertId = z.string().min(1).max(300);

export const AlertAck = z.object({ by: z.string().max(128), at: Timestamp, note: z.string().max(1000) });
export type AlertAck = z.infer<typeof AlertAck>;

/**
 * One episode of one rule on one device. `fingerprint` (rule + device) groups episodes; `id` is
 * minted at the edge from rule, device and the episode's first sample time, so a replay never
 * creates a second alert.
 */
export const Alert = z.object({
  id: AlertId,
  fingerprint: z.string().max(300),
  /** The node that owns the alert: acks go there. */
  nodePath: NodePath,
  ruleId: z.string().max(64),
  ruleName: z.string().max(200),
  deviceId: DeviceId.nullable(),
  /** For a node-level alert (`node-unreachable`): the node it is about. */
  subjectPath: NodePath.nullable(),
  severity: Severity,
  state: AlertState,
  summary: z.string().max(1000),
  value: z.number().nullable(),
  startedAt: Timestamp,
  updatedAt: Timestamp,
  resolvedAt: Timestamp.nullable(),
  ack: AlertAck.nullable(),
  /** A silence or maintenance window matched it when it fired: no notification was sent. */
  silenced: z.boolean(),
  /** Set by a parent while it cannot reach the owning node: the state shown may be out of date. */
  stale: z.boolean(),
});
export type Alert = z.infer<typeof Alert>;

/** Most severe first, then newest, then node path, then id. */
export const ListAlertsInput = z
  .object({
    /** Default: every state. */
    states: z.array(AlertState).max(4).optional(),
    severity: Severity.optional(),
    deviceId: DeviceId.optional(),
    /** Only alerts owned by this node or beneath it. */
    nodePath: NodePath.optional(),
    /** Matches the summary, rule name or device id (case-insensitive substring). */
    search: z.string().max(200).optional(),
    limit: Limit,
    cursor: Cursor.optional(),
  })
  .prefault({});
export type ListAlertsInput = z.infer<typeof ListAlertsInput>;

export const AlertPage = pageOf(Alert);
export type AlertPage = z.infer<typeof AlertPage>;

/** An alert by its owner's path and its id. */
export const AlertRef = z.object({ nodePath: NodePath, id: AlertId });
export type AlertRef = z.infer<typeof AlertRef>;

export const AckAlertInput = AlertRef.extend({ note: z.string().max(1000).default('') });
export type AckAlertInput = z.infer<typeof AckAlertInput>;

/**
 * One notification about an alert, as the tier that sent it records it: whom, how, when, and how
 * delivery went. `recipient` is the same key at every tier (`email:<address>`, `route:<id>`): one
 * person is told once however many tiers route the alert (docs/decisions/0026-on-call.md).
 */
export const AlertNotification = z.object({
  /** The tier that sent it (a node path; the BFF's own id for the BFF). */
  tier: z.string().max(520),
  recipient: z.string().max(300),
  /** A user's name, the email address or the route's id. */
  recipientName: z.string().max(300),
  channel: z.enum(['webhook', 'email', 'push']),
  event: z.enum(['firing', 'acknowledged', 'resolved']),
  /** The escalation policy that sent it; null when a route selected the alert itself. */
  escalationId: z.string().max(64).nullable(),
  createdAt: Timestamp,
  outcome: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int().min(0),
  /** When it was delivered or given up. */
  settledAt: Timestamp.nullable(),
  lastError: z.string().max(2000).nullable(),
});
export type AlertNotification = z.infer<typeof AlertNotification>;

/** Every tier on the alert's way, from the owner up to the one asked; oldest first. */
export const AlertNotifications = z.object({
  nodePath: NodePath,
  id: AlertId,
  notifications: z.array(AlertNotification).max(5000),
  /** Tiers below that did not answer: their notifications are missing here. */
  unanswered: z.array(z.string().max(520)).max(16),
});
export type AlertNotifications = z.infer<typeof AlertNotifications>;

/** What happened to an alert; `stale`/`fresh` are a parent's view of a child it lost or regained. */
export const AlertChangeKind = z.enum([
  'pending',
  'fired',
  'flapping',
  'resolved',
  'acked',
  'unacked',
  'stale',
  'fresh',
]);
export type AlertChangeKind = z.infer<typeof AlertChangeKind>;

/** One change of one alert, as the live stream carries it: the alert as it is after the change. */
export const AlertChange = z.object({
  kind: AlertChangeKind,
  /** When the change happened at the owning node (kept as is through every tier and replay). */
  at: Timestamp,
  alert: Alert,
});
export type AlertChange = z.infer<typeof AlertChange>;

/**
 * `lastEventId`: resume after this event id (what the stream's tracked ids carry; browsers send
 * it back on reconnect). Without it the stream starts with every open alert, then live changes.
 */
export const WatchAlertsInput = z.object({ lastEventId: z.string().max(16_384).nullish() }).prefault({});
export type WatchAlertsInput = z.infer<typeof WatchAlertsInput>;

/** One stream item: a change and the event id to resume after it. */
export interface TrackedAlertChange {
  id: string;
  change: AlertChange;
}

// ---------------------------------------------------------------------------------------------
// Silences and maintenance windows: they suppress notifications, never the record.

/** Every given matcher must match; a node path matches itself and its subtree. */
export const SilenceMatchers = z
  .object({
    nodePath: NodePath.optional(),
    /** Glob on the device id (`*`, `?`). */
    devicePattern: z.string().min(1).max(128).optional(),
    ruleId: z.string().max(64).optional(),
  })
  .refine((m) => Object.values(m).some((v) => v !== undefined), 'a silence needs at least one matcher');
export type SilenceMatchers = z.infer<typeof SilenceMatchers>;

export const Silence = z.object({
  id: z.string().max(200),
  nodePath: NodePath,
  kind: z.enum(['silence', 'maintenance']),
  matchers: SilenceMatchers,
  startsAt: Timestamp,
  endsAt: Timestamp,
  createdBy: z.string().max(128),
  createdAt: Timestamp,
  comment: z.string().max(1000),
});
export type Silence = z.infer<typeof Silence>;

/** Created at `nodePath` (the owning node), for the alerts it and its subtree raise. */
export const CreateSilenceInput = z
  .object({
    nodePath: NodePath,
    kind: z.enum(['silence', 'maintenance']).default('silence'),
    matchers: SilenceMatchers,
    /** Default: now. A maintenance window may start later. */
    startsAt: Timestamp.optional(),
    endsAt: Timestamp,
    comment: z.string().max(1000).default(''),
  })
  .refine((s) => s.startsAt === undefined || s.startsAt < s.endsAt, 'startsAt must be before endsAt');
export type CreateSilenceInput = z.infer<typeof CreateSilenceInput>;

export const SilenceRef = z.object({ nodePath: NodePath, id: z.string().max(200) });
export type SilenceRef = z.infer<typeof SilenceRef>;

/** Active and future silences (expired ones are in the audit log). */
export const ListSilencesInput = z
  .object({ nodePath: NodePath.optional(), limit: Limit, cursor: Cursor.optional() })
  .prefault({});
export type ListSilencesInput = z.infer<typeof ListSilencesInput>;

export const SilencePage = pageOf(Silence);
export type SilencePage = z.infer<typeof SilencePage>;
