// The console-only contract (users, audit, sessions, login): served by the BFF alone, beside the node contract.
import { z } from 'zod';
import { Cursor, Role, scopeRoot, Timestamp, type Scope } from '../domain/index.ts';

/** Login names are compared lower-case: `Admin` and `admin` are one user. */
export const Username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._@-]{0,63}$/, 'user name: 1–64 of a-z, 0-9, ".", "_", "@", "-"');
export type Username = z.infer<typeof Username>;

/**
 * Length is the rule (NIST SP 800-63B): at least 12 characters, no composition rules. The upper
 * bound keeps one login from costing the server much more than another.
 */
export const NewPassword = z.string().min(12, 'password: at least 12 characters').max(256);

/**
 * One subtree a user may see: `**` (the whole tree), `district-1/**` or just `district-1` (that
 * node and everything beneath it). Only whole subtrees, so every tier can check a path by prefix.
 */
export const ScopePattern = z
  .string()
  .max(515)
  .regex(
    /^(\*\*|[a-z0-9][a-z0-9-]{0,62}(\/[a-z0-9][a-z0-9-]{0,62})*(\/\*\*)?)$/,
    'scope: "**", or a node path such as district-1 or district-1/**',
  );

/** The node subtrees a user may see; `['**']`, the default, is the whole tree. */
export const UserScope = z.array(ScopePattern).min(1).max(32);
export type UserScope = z.infer<typeof UserScope>;
export const WHOLE_TREE: UserScope = ['**'];

/** A user's scope as the actor's: no scope for the whole tree, otherwise the subtrees' roots. */
export function actorScopeOf(scope: UserScope): Scope | undefined {
  return scope.includes('**') ? undefined : [...new Set(scope.map(scopeRoot))];
}

export const UserId = z.number().int().positive();

export const ConsoleUser = z.object({
  id: UserId,
  name: z.string(),
  role: Role,
  scope: UserScope,
  /** The user must choose a new password (POST /auth/password) before anything else. */
  mustChangePassword: z.boolean(),
  disabled: z.boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type ConsoleUser = z.infer<typeof ConsoleUser>;

export const CreateUserInput = z.object({
  name: Username,
  role: Role,
  scope: UserScope.default(WHOLE_TREE),
  /** The first password; the user is asked to replace it at first login. */
  password: NewPassword,
});
export type CreateUserInput = z.input<typeof CreateUserInput>;

export const UpdateUserInput = z
  .object({ id: UserId, role: Role.optional(), scope: UserScope.optional() })
  .refine((input) => input.role !== undefined || input.scope !== undefined, 'nothing to change');
export type UpdateUserInput = z.infer<typeof UpdateUserInput>;

export const ResetPasswordInput = z.object({ id: UserId, password: NewPassword });
export type ResetPasswordInput = z.infer<typeof ResetPasswordInput>;

export const AuditEntry = z.object({
  id: z.number().int(),
  at: Timestamp,
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  /** The client address of the request; empty for the BFF's own actions. */
  address: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** Newest first. Every filter narrows; `action` ending in "." matches a family (`auth.`). */
export const AuditFilter = z.object({
  actor: z.string().max(128).optional(),
  action: z.string().max(128).optional(),
  target: z.string().max(512).optional(),
  from: Timestamp.optional(),
  to: Timestamp.optional(),
  limit: z.number().int().min(1).max(500).default(100),
  cursor: Cursor.optional(),
});
export type AuditFilter = z.input<typeof AuditFilter>;

export const AuditPage = z.object({ items: z.array(AuditEntry), nextCursor: Cursor.nullable() });
export type AuditPage = z.infer<typeof AuditPage>;

/** The chain check: `ok`, or the first row whose links or contents do not match. */
export const AuditChainReport = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), checked: z.number().int() }),
  z.object({
    ok: z.literal(false),
    checked: z.number().int(),
    firstBrokenId: z.number().int(),
    reason: z.string(),
  }),
]);
export type AuditChainReport = z.infer<typeof AuditChainReport>;

export const SessionInfo = z.object({
  id: z.number().int(),
  createdAt: Timestamp,
  lastSeenAt: Timestamp,
  address: z.string(),
  userAgent: z.string(),
  /** The session this request came with. */
  current: z.boolean(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

/** What /auth/login, /auth/me and /auth/password answer. */
export const AuthState = z.object({
  user: z.object({
    name: z.string(),
    role: Role,
    scope: UserScope,
    mustChangePassword: z.boolean(),
  }),
  /** Send it back as `x-csrf-token` on every POST to /trpc and /auth (but login). */
  csrfToken: z.string(),
  /** When the session ends however busy it is (epoch ms): its start plus the absolute timeout. */
  expiresAt: z.number().int(),
});
export type AuthState = z.infer<typeof AuthState>;

export const LoginInput = z.object({
  username: z.string().min(1).max(128),
  password: z.string().min(1).max(1024),
});

export const ChangePasswordInput = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: NewPassword,
});

const HourMinute = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:MM');

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A daily window in the user's time zone; `from` after `to` spans midnight (22:00–07:00). */
export const QuietHours = z
  .object({
    from: HourMinute,
    to: HourMinute,
    timeZone: z.string().max(64).refine(isTimeZone, 'an IANA time zone such as Europe/Prague'),
  })
  .strict();
export type QuietHours = z.infer<typeof QuietHours>;

/** A browser's push subscription keys, as `PushSubscription.toJSON().keys` gives them. */
export const PushSubscriptionKeys = z.object({
  /** The browser's P-256 public key (base64url, 65 bytes). */
  p256dh: z.string().regex(/^[A-Za-z0-9_-]{87}$/, 'a base64url P-256 public key'),
  /** The 16-byte authentication secret (base64url). */
  auth: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'a base64url 16-byte secret'),
});
export type PushSubscriptionKeys = z.infer<typeof PushSubscriptionKeys>;

/** One browser subscribing to the caller's alert notifications. */
export const PushSubscriptionInput = z.object({
  endpoint: z
    .url({ protocol: /^https?$/, error: 'endpoint: the push service URL the browser gave' })
    .max(2048),
  keys: PushSubscriptionKeys,
});
export type PushSubscriptionInput = z.infer<typeof PushSubscriptionInput>;

/** How escalation policies that name the caller reach them. */
export const NotificationSettings = z.object({
  email: z.email().nullable(),
  quietHours: QuietHours.nullable(),
  /** The BFF's VAPID public key for `PushManager.subscribe`; null when this BFF sends no push. */
  pushPublicKey: z.string().nullable(),
  /** The caller's browsers that get pushes. */
  pushSubscriptions: z.array(z.object({ endpoint: z.string(), createdAt: Timestamp })),
});
export type NotificationSettings = z.infer<typeof NotificationSettings>;

/** A value given replaces the stored one; null clears it. */
export const UpdateNotificationSettingsInput = z.object({
  email: z.email('email: an address such as ops@example.com').max(254).nullable().optional(),
  quietHours: QuietHours.nullable().optional(),
});
export type UpdateNotificationSettingsInput = z.infer<typeof UpdateNotificationSettingsInput>;
