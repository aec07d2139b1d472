import type { Alert, Silence } from '@tierscope/shared/schemas';
import { format } from 'date-fns';
import type { ApiInputs } from '../../lib/trpc.ts';

export interface SilenceDuration {
  label: string;
  /** Spoken name, for buttons whose text is short. */
  name: string;
  ms: number;
}

const MINUTE = 60_000;

export const SILENCE_DURATIONS: readonly SilenceDuration[] = [
  { label: '15 min', name: '15 minutes', ms: 15 * MINUTE },
  { label: '1 h', name: '1 hour', ms: 60 * MINUTE },
  { label: '4 h', name: '4 hours', ms: 240 * MINUTE },
  { label: '24 h', name: '24 hours', ms: 1440 * MINUTE },
];

export type CreateSilence = ApiInputs['silences']['create'];

/** Whether the console can silence this alert: it needs the device and the rule to match on. */
export function canSilence(alert: Alert): alert is Alert & { deviceId: string } {
  return alert.deviceId !== null;
}

/**
 * The silence for "this rule on this device, for a while", created at the alert's owner (the node
 * whose engine decides whether to notify). A device id holds no glob characters, so as a pattern
 * it matches exactly that device.
 */
export function silenceInputFor(
  alert: Alert & { deviceId: string },
  duration: SilenceDuration,
  now: number,
  comment = '',
): CreateSilence {
  return {
    nodePath: alert.nodePath,
    kind: 'silence',
    matchers: { devicePattern: alert.deviceId, ruleId: alert.ruleId },
    endsAt: now + duration.ms,
    comment: comment.trim() || `${alert.ruleName} on ${alert.deviceId}, silenced for ${duration.name}`,
  };
}

/** The silence, among those listed, that covers this alert now and lasts longest; undefined if none. */
export function activeSilenceFor(
  alert: Alert,
  silences: readonly Silence[],
  now: number,
): Silence | undefined {
  let found: Silence | undefined;
  for (const silence of silences)
    if (silenceCovers(silence, alert, now) && (!found || silence.endsAt > found.endsAt)) found = silence;
  return found;
}

/**
 * The owner's matching rule, in the browser: within its time; the alert raised at the silence's
 * node or beneath it; every matcher given matches (node subtree, device glob, rule).
 */
export function silenceCovers(silence: Silence, alert: Alert, now: number): boolean {
  if (now < silence.startsAt || now >= silence.endsAt) return false;
  if (!isWithin(alert.nodePath, silence.nodePath)) return false;
  const { nodePath, devicePattern, ruleId } = silence.matchers;
  if (nodePath !== undefined && !isWithin(alert.nodePath, nodePath)) return false;
  if (ruleId !== undefined && alert.ruleId !== ruleId) return false;
  if (devicePattern !== undefined && (alert.deviceId === null || !globMatches(devicePattern, alert.deviceId)))
    return false;
  return true;
}

function isWithin(path: string, scope: string): boolean {
  return path === scope || path.startsWith(`${scope}/`);
}

/** `*` any run of characters, `?` one; everything else literal. */
export function globMatches(pattern: string, text: string): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`).test(text);
}

/** "until 15:42" for a silence that ends today, with the date when it ends another day. */
export function silenceUntil(silence: Pick<Silence, 'endsAt'>, now: number): string {
  const sameDay = new Date(silence.endsAt).toDateString() === new Date(now).toDateString();
  return `until ${format(silence.endsAt, sameDay ? 'HH:mm' : 'MMM d, HH:mm')}`;
}
