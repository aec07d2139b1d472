import type { Alert, AlertChange } from '@tierscope/shared';

/** Alertmanager's `endsAt` while an alert is firing (Go's zero time). */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

export type AlertmanagerStatus = 'firing' | 'resolved';

export interface AlertmanagerAlert {
  status: AlertmanagerStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/**
 * The body of Alertmanager's webhook_config, version 4, so receivers built for Alertmanager work
 * unchanged. Each notification carries one alert, as Alertmanager does with `group_by: ['...']`.
 */
export interface AlertmanagerPayload {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: AlertmanagerStatus;
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: AlertmanagerAlert[];
}

export interface PayloadLinks {
  /** The console's base URL (`externalURL`); the alert's link (`generatorURL`) is built on it. Default: empty. */
  externalUrl?: string | undefined;
}

/** The v4 payload telling `receiver` that the change's alert is now `status`. */
export function alertmanagerPayload(
  change: AlertChange,
  status: AlertmanagerStatus,
  receiver: string,
  links: PayloadLinks = {},
): AlertmanagerPayload {
  const { alert } = change;
  const labels = alertLabels(alert);
  const annotations = alertAnnotations(alert);
  const externalURL = links.externalUrl?.replace(/\/+$/, '') ?? '';
  return {
    version: '4',
    groupKey: groupKeyOf(labels),
    truncatedAlerts: 0,
    status,
    receiver,
    groupLabels: labels,
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL,
    alerts: [
      {
        status,
        labels,
        annotations,
        startsAt: new Date(alert.startedAt).toISOString(),
        endsAt: status === 'resolved' ? new Date(alert.resolvedAt ?? change.at).toISOString() : ZERO_TIME,
        generatorURL: alertLink(alert, links),
        fingerprint: alert.fingerprint,
      },
    ],
  };
}

/** What identifies the alert, the same while it fires and when it resolves. */
export function alertLabels(alert: Alert): Record<string, string> {
  return {
    alertname: alert.ruleName,
    severity: alert.severity,
    rule_id: alert.ruleId,
    node_path: alert.nodePath,
    ...(alert.deviceId !== null && { device: alert.deviceId }),
    ...(alert.subjectPath !== null && { subject_path: alert.subjectPath }),
  };
}

function alertAnnotations(alert: Alert): Record<string, string> {
  return {
    summary: alert.summary,
    alert_id: alert.id,
    ...(alert.value !== null && { value: String(alert.value) }),
  };
}

/** Alertmanager's form: the route's key, then the group's labels sorted by name, values quoted. */
function groupKeyOf(labels: Record<string, string>): string {
  const pairs = Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  return `{}:{${pairs.join(', ')}}`;
}

/** The alert in the console, or '' when the console's URL is not configured. */
export function alertLink(alert: Alert, links: PayloadLinks): string {
  const base = links.externalUrl?.replace(/\/+$/, '') ?? '';
  const query = new URLSearchParams({ nodePath: alert.nodePath, id: alert.id }).toString();
  return base ? `${base}/alerts?${query}` : '';
}
