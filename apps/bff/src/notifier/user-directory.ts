import { eq } from 'drizzle-orm';
import { directRecipients, emailRecipient, type RecipientDirectory } from '@tierscope/notify';
import type { BffDatabase } from '../store/client.ts';
import { users } from '../store/schema.ts';

/**
 * Escalation targets as the BFF resolves them: a user by name, through the channels their profile
 * holds (an email address now; push subscriptions join as further recipients of the same name),
 * skipped while disabled; email addresses and routes as every tier resolves them.
 */
export function userDirectory(db: BffDatabase): RecipientDirectory {
  return async (target) => {
    if (!('user' in target)) return directRecipients(target);
    const [user] = await db
      .select({ email: users.email, quietHours: users.quietHours, disabled: users.disabled })
      .from(users)
      .where(eq(users.name, target.user.toLowerCase()));
    if (!user || user.disabled || user.email === null) return [];
    return [emailRecipient(user.email, target.user, user.quietHours ?? undefined)];
  };
}
