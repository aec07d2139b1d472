import { eq } from 'drizzle-orm';
import { actorScopeOf, roleAllows } from '@tierscope/shared';
import {
  directRecipients,
  emailRecipient,
  pushRecipient,
  type RecipientDirectory,
  type RecipientUser,
} from '@tierscope/notify';
import type { BffDatabase } from '../store/client.ts';
import { pushSubscriptions, users } from '../store/schema.ts';

/**
 * Escalation targets as the BFF resolves them: a user by name, through each channel they set up
 * (their email address, every browser subscribed to pushes), skipped while disabled, told only of
 * alerts inside their scope, and offered Ack only when their role may ack; email addresses and
 * routes as every tier resolves them.
 */
export function userDirectory(db: BffDatabase): RecipientDirectory {
  return async (target) => {
    if (!('user' in target)) return directRecipients(target);
    const [row] = await db
      .select({
        id: users.id,
        email: users.email,
        quietHours: users.quietHours,
        disabled: users.disabled,
        role: users.role,
        scope: users.scope,
      })
      .from(users)
      .where(eq(users.name, target.user.toLowerCase()));
    if (!row || row.disabled) return [];
    const user: RecipientUser = {
      name: target.user,
      quietHours: row.quietHours ?? undefined,
      scope: actorScopeOf(row.scope),
      mayAck: roleAllows(row.role, 'operator'),
    };
    const browsers = await db
      .select({
        endpoint: pushSubscriptions.endpoint,
        p256dh: pushSubscriptions.p256dh,
        auth: pushSubscriptions.auth,
      })
      .from(pushSubscriptions)
      .where(eq(pushSubscriptions.userId, row.id));
    return [
      ...(row.email === null ? [] : [emailRecipient(row.email, user)]),
      ...browsers.map(({ endpoint, ...keys }) => pushRecipient(endpoint, keys, user)),
    ];
  };
}
