import type { Alert } from '@tierscope/shared';
import { alertLink, type PayloadLinks } from './alertmanager-payload.ts';
import type { NotifiedEvent } from './pagerduty-event.ts';

/** An email as the outbox stores it and the mailer sends it. */
export interface AlertEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Every email of one alert references its first, so mail clients show one thread per incident. */
  messageId: string;
  references: string;
}

const HEADLINES: Record<NotifiedEvent, string> = {
  firing: 'FIRING',
  acknowledged: 'ACKED',
  resolved: 'RESOLVED',
};

/** The email telling `to` the alert is `event`: a plain-text and an HTML body with the alert's link. */
export function alertEmail(
  alert: Alert,
  event: NotifiedEvent,
  to: string,
  links: PayloadLinks = {},
): AlertEmail {
  const link = alertLink(alert, links);
  const where = alert.deviceId ?? alert.subjectPath ?? alert.nodePath;
  const facts: Array<[string, string]> = [
    ['Severity', alert.severity],
    ['Rule', `${alert.ruleName} (${alert.ruleId})`],
    ['Device', alert.deviceId ?? '—'],
    ['Node', alert.nodePath],
    ['Started', new Date(alert.startedAt).toISOString()],
    ...(alert.resolvedAt === null
      ? []
      : [['Resolved', new Date(alert.resolvedAt).toISOString()] as [string, string]]),
    ...(alert.ack === null ? [] : [['Acked by', alert.ack.by] as [string, string]]),
    ...(alert.value === null ? [] : [['Value', String(alert.value)] as [string, string]]),
  ];
  const thread = `<${encodeURIComponent(alert.id)}@tierscope>`;
  return {
    to,
    subject: `[${HEADLINES[event]} ${alert.severity}] ${alert.ruleName} on ${where}`,
    text: [
      `${HEADLINES[event]}: ${alert.summary}`,
      '',
      ...facts.map(([name, value]) => `${name}: ${value}`),
      ...(link ? ['', `Open the alert: ${link}`] : []),
    ].join('\n'),
    html: [
      `<h2>${escapeHtml(HEADLINES[event])}: ${escapeHtml(alert.summary)}</h2>`,
      '<table>',
      ...facts.map(
        ([name, value]) => `<tr><th align="left">${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`,
      ),
      '</table>',
      ...(link ? [`<p><a href="${escapeHtml(link)}">Open the alert in Tierscope</a></p>`] : []),
    ].join('\n'),
    messageId: event === 'firing' ? thread : `<${encodeURIComponent(alert.id)}.${event}@tierscope>`,
    references: thread,
  };
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!);
}
