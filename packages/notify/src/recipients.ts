import type { NotifyTarget, PushSubscriptionKeys, QuietHours, Scope } from '@tierscope/shared';

/**
 * Someone (or something) an escalation step tells, on one channel. A person with several
 * channels (an email address, a push subscription per phone) is several recipients with one name.
 */
export interface Recipient {
  /** Tier-independent (`email:<address>`, `route:<id>`): what tiers dedupe on. */
  key: string;
  /** Who, for the console: the user's name, the address or the route id. */
  name: string;
  channel: 'email' | 'route' | 'push';
  /** The email address, the route's id, or the push subscription's endpoint. */
  address: string;
  /** A push subscription's keys, which its payload is encrypted to. */
  push?: PushSubscriptionKeys | undefined;
  /** A user's quiet hours: non-critical alerts are not sent to them while this holds. */
  quietHours?: QuietHours | undefined;
  /** A user's scope: they are told only of alerts inside it. Absent: every alert. */
  scope?: Scope | undefined;
  /** False for a viewer: their push has no Ack action. Absent: the recipient may ack. */
  mayAck?: boolean | undefined;
}

/** Who a user is, as their recipients carry it. */
export interface RecipientUser {
  name: string;
  quietHours?: QuietHours | undefined;
  scope?: Scope | undefined;
  mayAck?: boolean | undefined;
}

/** The recipients a step's target names; a tier that cannot resolve a target returns none. */
export type RecipientDirectory = (target: NotifyTarget) => Promise<readonly Recipient[]>;

export { QuietHours } from '@tierscope/shared';

/** True when `at` falls inside the window, read on the clock of its time zone. */
export function inQuietHours(quiet: QuietHours, at: number): boolean {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: quiet.timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const hour = parts.find((p) => p.type === 'hour')?.value ?? '00';
  const minute = parts.find((p) => p.type === 'minute')?.value ?? '00';
  const now = `${hour}:${minute}`;
  return quiet.from <= quiet.to ? now >= quiet.from && now < quiet.to : now >= quiet.from || now < quiet.to;
}

/** One browser's push subscription of a user. */
export function pushRecipient(endpoint: string, keys: PushSubscriptionKeys, user: RecipientUser): Recipient {
  return { ...user, key: `push:${endpoint}`, channel: 'push', address: endpoint, push: keys };
}

export function emailRecipient(address: string, user: RecipientUser = { name: address }): Recipient {
  return { ...user, key: `email:${address.toLowerCase()}`, channel: 'email', address };
}

/**
 * What every tier resolves by itself: email addresses and its routes. Users are known only at
 * the BFF, whose directory adds them (docs/decisions/0026-on-call.md).
 */
export const directRecipients: RecipientDirectory = (target) => {
  if ('email' in target) return Promise.resolve([emailRecipient(target.email)]);
  if ('route' in target)
    return Promise.resolve([
      { key: `route:${target.route}`, name: target.route, channel: 'route', address: target.route },
    ]);
  return Promise.resolve([]);
};
