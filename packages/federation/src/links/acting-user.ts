import { AsyncLocalStorage } from 'node:async_hooks';
import { Actor } from '@tierscope/shared';

/**
 * The user a parent acts for, sent with each call it makes to a child, so the owning node records
 * (and, with the access issue, checks) the real user. A node believes this header only from a
 * caller it trusts as its parent.
 */
export const ACTING_USER_HEADER = 'x-tierscope-acting-user';

const scope = new AsyncLocalStorage<Actor>();

export function runAsActor<T>(actor: Actor, fn: () => T): T {
  return scope.run(actor, fn);
}

/** The header for a child call made now, when it is made on a user's behalf. */
export function actingUserHeaders(): Record<string, string> {
  const actor = scope.getStore();
  return actor ? { [ACTING_USER_HEADER]: Buffer.from(JSON.stringify(actor)).toString('base64url') } : {};
}

/** The actor a trusted parent named, or undefined when the header is missing or malformed. */
export function readActingUserHeader(value: string | readonly string[] | undefined): Actor | undefined {
  const raw = Array.isArray(value) ? (value as readonly string[])[0] : value;
  if (typeof raw !== 'string' || raw === '' || raw.length > 2048) return undefined;
  try {
    const parsed = Actor.safeParse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
