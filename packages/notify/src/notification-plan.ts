import picomatch from 'picomatch';
import {
  severityRank,
  type Alert,
  type AlertChange,
  type Webhook,
  type WebhookMatchers,
} from '@tierscope/shared';
import { alertmanagerPayload, type AlertmanagerStatus, type PayloadLinks } from './alertmanager-payload.ts';

/**
 * The change log a notification comes from: a node's `alert_changes`, or a federating tier's
 * `node unreachable` changes. Each numbers its changes itself.
 */
export type NotificationSource = 'alert' | 'node-unreachable';

/** Where a change sits: its log and its `seq` there. */
export interface ChangeOrigin {
  source: NotificationSource;
  seq: number;
}

/** One notification to send: a `notification_outbox` row as the change's writer stores it. */
export interface OutboxInsert {
  webhookId: string;
  source: NotificationSource;
  /** The change's `seq` in its source; with `webhookId` and `source` a replayed change inserts nothing. */
  changeSeq: number;
  /** The receiver's dedup key (with changeSeq in the Idempotency-Key header). */
  fingerprint: string;
  payload: Record<string, unknown>;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms: the first attempt is due at once. */
  nextAttemptAt: number;
}

/**
 * The notifications one alert change causes, one per webhook that selects it: `fired` and
 * `flapping` notify as firing, `resolved` as resolved (to webhooks with sendResolved); every other
 * kind, and any change of a silenced alert, notifies nobody. A webhook selects an alert at or
 * above its minSeverity that all its matchers match. Pure: call it inside the transaction that
 * stores the change (or in its feed) and insert what it returns.
 */
export function notificationsFor(
  change: AlertChange,
  origin: ChangeOrigin,
  webhooks: readonly Webhook[],
  now: number,
  links: PayloadLinks = {},
): OutboxInsert[] {
  const status = notifiedStatus(change);
  if (status === undefined) return [];
  return webhooks
    .filter((webhook) => status === 'firing' || webhook.sendResolved)
    .filter((webhook) => selects(webhook, change.alert))
    .map((webhook) => ({
      webhookId: webhook.id,
      source: origin.source,
      changeSeq: origin.seq,
      fingerprint: change.alert.fingerprint,
      payload: { ...alertmanagerPayload(change, status, webhook.id, links) },
      createdAt: now,
      nextAttemptAt: now,
    }));
}

/** What the change tells a receiver, if anything. */
export function notifiedStatus(change: AlertChange): AlertmanagerStatus | undefined {
  if (change.alert.silenced) return undefined;
  switch (change.kind) {
    case 'fired':
    case 'flapping':
      return 'firing';
    case 'resolved':
      return 'resolved';
    default:
      return undefined;
  }
}

function selects(webhook: Webhook, alert: Alert): boolean {
  return (
    severityRank[alert.severity] >= severityRank[webhook.minSeverity] &&
    (webhook.matchers === undefined || matches(webhook.matchers, alert))
  );
}

function matches(matchers: WebhookMatchers, alert: Alert): boolean {
  const { devicePattern, ruleId, nodePath } = matchers;
  if (ruleId !== undefined && alert.ruleId !== ruleId) return false;
  if (
    devicePattern !== undefined &&
    (alert.deviceId === null || !globMatches(devicePattern, alert.deviceId))
  ) {
    return false;
  }
  // A node-level alert is about its subject (the child it lost), which lives in that subtree.
  return nodePath === undefined || inSubtree(alert.subjectPath ?? alert.nodePath, nodePath);
}

const compiledGlobs = new Map<string, (value: string) => boolean>();

/** Device ids have no `/`, so picomatch's `*` and `?` span the whole id. */
function globMatches(pattern: string, value: string): boolean {
  let matcher = compiledGlobs.get(pattern);
  if (!matcher) {
    matcher = picomatch(pattern, { dot: true });
    compiledGlobs.set(pattern, matcher);
  }
  return matcher(value);
}

function inSubtree(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}
