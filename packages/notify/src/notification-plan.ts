import picomatch from 'picomatch';
import {
  severityRank,
  type Alert,
  type AlertChange,
  type Webhook,
  type WebhookMatchers,
} from '@tierscope/shared';
import { alertLabels, alertmanagerPayload, type PayloadLinks } from './alertmanager-payload.ts';
import type { NotificationChannel } from './outbox-store.ts';
import { pagerDutyEvent, type NotifiedEvent } from './pagerduty-event.ts';

/**
 * The change log a notification comes from: a node's `alert_changes`, or a federating tier's
 * `node unreachable` changes. Each numbers its changes itself.
 */
export type NotificationSource = 'alert' | 'node-unreachable' | 'escalation';

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
  /** Default `webhook`: `webhookId` names the route. For `email`, the payload is an AlertEmail. */
  channel?: NotificationChannel | undefined;
  /** Whom it tells, as tiers dedupe on it (`route:<id>`, `email:<address>`). */
  recipient: string;
  /** Who that is, for the console. */
  recipientName: string;
  alertId: string;
  event: NotifiedEvent;
  /** The escalation policy that sent it, if one did. */
  escalationId?: string | undefined;
}

/**
 * The notifications one alert change causes, one per webhook that selects it: `fired` and
 * `flapping` notify as firing, `resolved` as resolved (to webhooks with sendResolved), `acked` as
 * acknowledged (to PagerDuty routes only); every other kind, and any change of a silenced alert,
 * notifies nobody. A webhook selects an alert at or above its minSeverity that all its matchers
 * match. Pure: call it inside the transaction that stores the change (or in its feed) and insert
 * what it returns.
 */
export function notificationsFor(
  change: AlertChange,
  origin: ChangeOrigin,
  webhooks: readonly Webhook[],
  now: number,
  links: PayloadLinks = {},
): OutboxInsert[] {
  const event = notifiedEvent(change);
  if (event === undefined) return [];
  return webhooks
    .filter((webhook) => routeTells(webhook, event))
    .filter((webhook) => selects(webhook, change.alert))
    .map((webhook) => ({
      ...routeNotification(webhook, change, event, now, links),
      source: origin.source,
      changeSeq: origin.seq,
    }));
}

/** Whether a route is told `event`: PagerDuty hears acks; resolves go where sendResolved says. */
export function routeTells(route: Webhook, event: NotifiedEvent): boolean {
  if (event === 'acknowledged') return route.kind === 'pagerduty';
  return event === 'firing' || route.sendResolved;
}

/** The outbox row telling a route `event` about the change's alert (without its source and seq). */
export function routeNotification(
  route: Webhook,
  change: AlertChange,
  event: NotifiedEvent,
  now: number,
  links: PayloadLinks = {},
): Omit<OutboxInsert, 'source' | 'changeSeq'> {
  const status = event === 'resolved' ? 'resolved' : 'firing';
  return {
    webhookId: route.id,
    fingerprint: change.alert.fingerprint,
    payload:
      route.kind === 'pagerduty'
        ? pagerDutyEvent(change.alert, event, links)
        : { ...alertmanagerPayload(change, status, route.id, links) },
    createdAt: now,
    nextAttemptAt: now,
    recipient: `route:${route.id}`,
    recipientName: route.id,
    alertId: change.alert.id,
    event,
  };
}

/** What the change tells a receiver, if anything. */
export function notifiedEvent(change: AlertChange): NotifiedEvent | undefined {
  if (change.alert.silenced) return undefined;
  switch (change.kind) {
    case 'fired':
    case 'flapping':
      return 'firing';
    case 'acked':
      return 'acknowledged';
    case 'resolved':
      return 'resolved';
    default:
      return undefined;
  }
}

/** A route or an escalation policy selects an alert at or above its minSeverity that its matchers match. */
export function selects(
  selector: { minSeverity: Webhook['minSeverity']; matchers?: WebhookMatchers | undefined },
  alert: Alert,
): boolean {
  return (
    severityRank[alert.severity] >= severityRank[selector.minSeverity] &&
    (selector.matchers === undefined || matches(selector.matchers, alert))
  );
}

function matches(matchers: WebhookMatchers, alert: Alert): boolean {
  const { devicePattern, ruleId, nodePath, severities, labels } = matchers;
  if (ruleId !== undefined && alert.ruleId !== ruleId) return false;
  if (severities !== undefined && !severities.includes(alert.severity)) return false;
  if (labels !== undefined) {
    const own = alertLabels(alert);
    if (Object.entries(labels).some(([name, value]) => own[name] !== value)) return false;
  }
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
