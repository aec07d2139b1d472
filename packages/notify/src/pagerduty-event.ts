import type { Alert } from '@tierscope/shared';
import { alertLabels, alertLink, type PayloadLinks } from './alertmanager-payload.ts';

/** What a notification tells: the alert fired, someone acked it, or it resolved. */
export type NotifiedEvent = 'firing' | 'acknowledged' | 'resolved';

const ACTIONS = { firing: 'trigger', acknowledged: 'acknowledge', resolved: 'resolve' } as const;

/**
 * A PagerDuty Events v2 event (https://developer.pagerduty.com/docs/events-api-v2/overview/) for
 * the alert, without `routing_key`: the sender adds the route's key, so no key is stored in the
 * outbox. `dedup_key` is the alert's id (its episode), so trigger, acknowledge and resolve reach
 * one PagerDuty incident.
 */
export function pagerDutyEvent(
  alert: Alert,
  event: NotifiedEvent,
  links: PayloadLinks = {},
): Record<string, unknown> {
  const link = alertLink(alert, links);
  return {
    event_action: ACTIONS[event],
    dedup_key: alert.id,
    ...(event === 'firing' && {
      payload: {
        summary: `${alert.ruleName}: ${alert.summary}`.slice(0, 1024),
        source: alert.deviceId ?? alert.subjectPath ?? alert.nodePath,
        severity: alert.severity,
        timestamp: new Date(alert.startedAt).toISOString(),
        component: alert.deviceId ?? undefined,
        group: alert.nodePath,
        class: alert.ruleId,
        custom_details: alertLabels(alert),
      },
      ...(link && { links: [{ href: link, text: 'The alert in Tierscope' }] }),
    }),
  };
}
