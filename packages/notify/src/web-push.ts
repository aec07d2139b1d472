// Web Push (RFC 8030) with VAPID (RFC 8292) and an encrypted payload (RFC 8291, aes128gcm): the
// `web-push` library signs and encrypts, and the request goes out like a webhook (allowlisted
// lookup, one budget, no redirects) so a push service is subject to the same rules as any route.
import { createHash } from 'node:crypto';
import webpush from 'web-push';
import { z } from 'zod';
import type { Alert, PushSubscriptionKeys } from '@tierscope/shared';
import { alertLink, type PayloadLinks } from './alertmanager-payload.ts';
import type { NotifiedEvent } from './pagerduty-event.ts';

/** The tier's VAPID identity (`VAPID_PUBLIC_KEY`, `VAPID_PRIVATE_KEY`, `VAPID_SUBJECT`). */
export const VapidSettings = z.object({
  /** Who runs the tier, for the push service to reach: `mailto:ops@example.com` or an https URL. */
  subject: z.string().regex(/^(mailto:|https:\/\/)/, 'VAPID_SUBJECT: a mailto: or https:// URL'),
  /** base64url of the uncompressed P-256 public key (65 bytes), as browsers take it. */
  publicKey: z
    .string('VAPID_PUBLIC_KEY: missing beside VAPID_PRIVATE_KEY')
    .regex(/^[A-Za-z0-9_-]{87}$/, 'VAPID_PUBLIC_KEY: a base64url P-256 public key (87 characters)'),
  privateKey: z
    .string('VAPID_PRIVATE_KEY: missing beside VAPID_PUBLIC_KEY')
    .regex(/^[A-Za-z0-9_-]{43}$/, 'VAPID_PRIVATE_KEY: a base64url P-256 private key (43 characters)'),
});
export type VapidSettings = z.infer<typeof VapidSettings>;

/** What the console's service worker receives (decrypted) and shows as a notification. */
export interface AlertPush {
  title: string;
  body: string;
  /** One notification per alert on the phone: a later event replaces the earlier one. */
  tag: string;
  alertId: string;
  nodePath: string;
  severity: Alert['severity'];
  event: NotifiedEvent;
  /** The console's page for the alert, when the tier knows its external URL. */
  url: string | undefined;
  /** Whether the notification offers Ack: a viewer's does not. */
  mayAck: boolean;
}

/** A push as the outbox stores it: where it goes and what it says (encrypted only when sent). */
export interface PushNotification {
  endpoint: string;
  keys: PushSubscriptionKeys;
  message: AlertPush;
}

const HEADLINES: Record<NotifiedEvent, string> = {
  firing: 'Firing',
  acknowledged: 'Acked',
  resolved: 'Resolved',
};

/** The push telling a subscribed phone the alert is `event`. */
export function alertPush(
  alert: Alert,
  event: NotifiedEvent,
  links: PayloadLinks = {},
  mayAck = true,
): AlertPush {
  const where = alert.deviceId ?? alert.subjectPath ?? alert.nodePath;
  return {
    title: `${HEADLINES[event]} ${alert.severity}: ${alert.ruleName}`,
    body: `${where} · ${alert.nodePath}\n${alert.summary}`.slice(0, 400),
    tag: alert.id,
    alertId: alert.id,
    nodePath: alert.nodePath,
    severity: alert.severity,
    event,
    url: alertLink(alert, links),
    mayAck,
  };
}

/** Critical alerts wake the phone; the rest may wait for the push service's next good moment. */
const URGENCY: Record<Alert['severity'], webpush.Urgency> = {
  critical: 'high',
  warning: 'normal',
  info: 'low',
};
/** A push the phone cannot take within a day is dropped by the push service: the alert page says the rest. */
const TTL_SECONDS = 24 * 3600;

/** How long a VAPID token is valid; RFC 8292 allows at most 24 h. */
const VAPID_TOKEN_LIFETIME_S = 12 * 3600;
/** A token is signed again when less than this is left, so none expires on its way. */
const VAPID_TOKEN_RENEW_S = 3600;

/** The request for one push: POST `url` with these headers and this body. */
export interface PushRequest {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Signs and encrypts pushes for one VAPID identity. The VAPID token names only the push service
 * (its origin) and an expiry, so one token per push service serves every push for hours: signing
 * one per push cost more CPU than encrypting it (a burst of alerts spent seconds in ES256).
 */
export function createPushSigner(
  vapid: VapidSettings,
  now: () => number = Date.now,
): (push: PushNotification) => PushRequest {
  const tokens = new Map<string, { authorization: string; expiresAt: number }>();
  const authorizationFor = (endpoint: string): string => {
    const audience = new URL(endpoint).origin;
    const nowS = Math.floor(now() / 1000);
    let token = tokens.get(audience);
    if (!token || token.expiresAt - nowS < VAPID_TOKEN_RENEW_S) {
      const expiresAt = nowS + VAPID_TOKEN_LIFETIME_S;
      const headers = webpush.getVapidHeaders(
        audience,
        vapid.subject,
        vapid.publicKey,
        vapid.privateKey,
        'aes128gcm',
        expiresAt,
      );
      token = { authorization: headers.Authorization, expiresAt };
      tokens.set(audience, token);
    }
    return token.authorization;
  };
  return (push) => {
    const details = webpush.generateRequestDetails(
      { endpoint: push.endpoint, keys: push.keys },
      JSON.stringify(push.message),
      {
        // Signed above, once per push service (with no vapidDetails, here or set globally through
        // setVapidDetails, which nothing calls, the library signs nothing itself).
        headers: { Authorization: authorizationFor(push.endpoint) },
        TTL: TTL_SECONDS,
        urgency: URGENCY[push.message.severity],
        topic: topicOf(push.message.tag),
        contentEncoding: 'aes128gcm',
      },
    );
    return { url: details.endpoint, headers: details.headers, body: details.body };
  };
}

/** A push service keeps only the latest message per topic while the phone is away (≤ 32 URL-safe chars). */
function topicOf(tag: string): string {
  return createHash('sha256').update(tag).digest('base64url').slice(0, 32);
}

/** The push service says the subscription is gone for good (RFC 8030 §7.3): stop sending to it. */
export function subscriptionGone(status: number): boolean {
  return status === 404 || status === 410;
}

/** A new VAPID key pair, for a tier that has none (the demo makes one per data directory). */
export function generateVapidKeys(): { publicKey: string; privateKey: string } {
  return webpush.generateVAPIDKeys();
}
