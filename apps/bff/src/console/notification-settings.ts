import { and, asc, eq } from 'drizzle-orm';
import {
  NotFoundError,
  type NotificationSettings,
  type PushSubscriptionInput,
  type UpdateNotificationSettingsInput,
} from '@tierscope/shared';
import type { BffDatabase } from '../store/client.ts';
import { pushSubscriptions, users } from '../store/schema.ts';
import type { AuditLog, AuditOrigin } from './audit.ts';

/** A user's own notification settings: where escalation policies naming them reach them. */
export interface NotificationSettingsStore {
  get(userId: number): Promise<NotificationSettings>;
  update(
    userId: number,
    input: UpdateNotificationSettingsInput,
    origin: AuditOrigin,
  ): Promise<NotificationSettings>;
  subscribePush(
    userId: number,
    input: PushSubscriptionInput,
    origin: AuditOrigin,
  ): Promise<NotificationSettings>;
  unsubscribePush(userId: number, endpoint: string, origin: AuditOrigin): Promise<NotificationSettings>;
  /** The push service said the subscription is gone for good: whoever it was, it gets no more pushes. */
  forgetPush(endpoint: string): Promise<void>;
}

export interface NotificationSettingsDeps {
  db: BffDatabase;
  audit: AuditLog;
  /** The BFF's VAPID public key; undefined when it sends no push. */
  pushPublicKey: string | undefined;
  now: () => number;
}

export function createNotificationSettings({
  db,
  audit,
  pushPublicKey,
  now,
}: NotificationSettingsDeps): NotificationSettingsStore {
  const read = async (userId: number): Promise<NotificationSettings & { name: string }> => {
    const [user] = await db
      .select({ name: users.name, email: users.email, quietHours: users.quietHours })
      .from(users)
      .where(eq(users.id, userId));
    if (!user) throw new NotFoundError(`no user with id ${userId}`);
    const subscriptions = await db
      .select({ endpoint: pushSubscriptions.endpoint, createdAt: pushSubscriptions.createdAt })
      .from(pushSubscriptions)
      .where(eq(pushSubscriptions.userId, userId))
      .orderBy(asc(pushSubscriptions.createdAt));
    return {
      name: user.name,
      email: user.email,
      quietHours: user.quietHours ?? null,
      pushPublicKey: pushPublicKey ?? null,
      pushSubscriptions: subscriptions.map((s) => ({
        endpoint: s.endpoint,
        createdAt: s.createdAt.getTime(),
      })),
    };
  };
  const settingsOf = async (userId: number): Promise<NotificationSettings> => {
    const { name: _name, ...settings } = await read(userId);
    return settings;
  };

  return {
    get: settingsOf,

    update: async (userId, { email, quietHours }, origin) => {
      const { name } = await read(userId);
      await db
        .update(users)
        .set({
          ...(email !== undefined && { email: email?.toLowerCase() ?? null }),
          ...(quietHours !== undefined && { quietHours }),
          updatedAt: new Date(now()),
        })
        .where(eq(users.id, userId));
      await audit.append(origin, {
        action: 'notifications.update',
        target: name,
        details: { ...(email !== undefined && { email }), ...(quietHours !== undefined && { quietHours }) },
      });
      return settingsOf(userId);
    },

    subscribePush: async (userId, { endpoint, keys }, origin) => {
      const { name } = await read(userId);
      // An endpoint is one browser: subscribing it again (new keys, or another user on it) replaces it.
      await db
        .insert(pushSubscriptions)
        .values({ userId, endpoint, p256dh: keys.p256dh, auth: keys.auth, createdAt: new Date(now()) })
        .onConflictDoUpdate({
          target: pushSubscriptions.endpoint,
          set: { userId, p256dh: keys.p256dh, auth: keys.auth, createdAt: new Date(now()) },
        });
      await audit.append(origin, {
        action: 'notifications.push.subscribe',
        target: name,
        details: { endpoint },
      });
      return settingsOf(userId);
    },

    unsubscribePush: async (userId, endpoint, origin) => {
      const { name } = await read(userId);
      const removed = await db
        .delete(pushSubscriptions)
        .where(and(eq(pushSubscriptions.userId, userId), eq(pushSubscriptions.endpoint, endpoint)))
        .returning({ id: pushSubscriptions.id });
      if (removed.length > 0)
        await audit.append(origin, {
          action: 'notifications.push.unsubscribe',
          target: name,
          details: { endpoint },
        });
      return settingsOf(userId);
    },

    forgetPush: async (endpoint) => {
      await db.delete(pushSubscriptions).where(eq(pushSubscriptions.endpoint, endpoint));
    },
  };
}
