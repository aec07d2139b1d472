import { eq } from 'drizzle-orm';
import { directRecipients, emailRecipient, pushRecipient, type RecipientDirectory } from '@tierscope/notify';
import type { BffDatabase } from '../store/client.ts';
import { pushSubscriptions, users } from '../store/schema.ts';

/**
 * Escalation targets as the BFF resolves them: a user by name, through each channel they set up
 * (their email address, every browser subscribed to pushes), skipped while disabled; email
 * addresses and routes as every tier resolves them.
 */
export function userDirectory(db: BffDatabase): RecipientDirectory {
  return async (target) => {
    if (!('user' in target)) return directRecipients(target);
    const [user] = await db
      .select({ id: users.id, email: users.email, quietHours: users.quietHours, disabled: users.disabled })
      .from(users)
      .where(eq(users.name, target.user.toLowerCase()));
    if (!user || user.disabled) return [];
    const quietHours = user.quietHours ?? undefined;
    const browsers = await db
      .select({
        endpoint: pushSubscriptions.endpoint,
        p256dh: pushSubscriptions.p256dh,
        auth: pushSubscriptions.auth,
      })
      .from(pushSubscriptions)
      .where(eq(pushSubscriptions.userId, user.id));
    return [
      ...(user.email === null ? [] : [emailRecipient(user.email, target.user, quietHours)]),
      ...browsers.map(({ endpoint, ...keys }) => pushRecipient(endpoint, keys, target.user, quietHours)),
    ];
  };
}
