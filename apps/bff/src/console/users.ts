import { randomBytes } from 'node:crypto';
import { and, asc, count, eq, ne } from 'drizzle-orm';
import { BadRequestError, NotFoundError } from '@tierscope/shared';
import type { BffDatabase } from '../store/client.ts';
import { users } from '../store/schema.ts';
import type { AuditLog, AuditOrigin } from './audit.ts';
import {
  CreateUserInput,
  Username,
  type ConsoleUser,
  type ResetPasswordInput,
  type UpdateUserInput,
} from '@tierscope/shared';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { Sessions } from './sessions.ts';

export interface Users {
  /** By name. */
  list(): Promise<ConsoleUser[]>;
  get(id: number): Promise<ConsoleUser>;
  count(): Promise<number>;
  /**
   * The enabled user with this name and password, or undefined. An unknown name costs one argon2
   * verification like a known one, so timing does not tell which names exist.
   */
  authenticate(name: string, password: string): Promise<ConsoleUser | undefined>;
  /** Users an admin creates must change their password at first login unless told otherwise. */
  create(
    input: CreateUserInput,
    origin: AuditOrigin,
    options?: { mustChangePassword?: boolean },
  ): Promise<ConsoleUser>;
  /** Changes role and/or scope and ends the user's sessions, so the change applies at once. */
  update(input: UpdateUserInput, origin: AuditOrigin): Promise<ConsoleUser>;
  /** Disabling ends the user's sessions; the last enabled admin cannot be disabled. */
  setDisabled(id: number, disabled: boolean, origin: AuditOrigin): Promise<ConsoleUser>;
  /** An admin sets a password the user must change at next login; the user's sessions end. */
  resetPassword(input: ResetPasswordInput, origin: AuditOrigin): Promise<ConsoleUser>;
  /**
   * The user replaces their own password; false when `currentPassword` is wrong. Every session of
   * the user ends, the caller's included: it starts a new one.
   */
  changeOwnPassword(
    id: number,
    passwords: { currentPassword: string; newPassword: string },
    origin: AuditOrigin,
  ): Promise<boolean>;
}

export interface UsersDeps {
  db: BffDatabase;
  sessions: Sessions;
  audit: AuditLog;
  now: () => number;
}

export function createUsers({ db, sessions, audit, now }: UsersDeps): Users {
  // Verified against when the name is unknown, so an unknown name takes as long as a wrong password.
  let decoyHash: Promise<string> | undefined;
  const decoy = () => (decoyHash ??= hashPassword(randomBytes(16).toString('base64url')));

  const row = async (id: number) => {
    const [found] = await db.select().from(users).where(eq(users.id, id));
    if (!found) throw new NotFoundError(`no user ${id}`);
    return found;
  };

  /** Refuses a change that would leave no enabled admin to manage users. */
  const keepAnAdmin = async (id: number) => {
    const [others] = await db
      .select({ n: count() })
      .from(users)
      .where(and(eq(users.role, 'admin'), eq(users.disabled, false), ne(users.id, id)));
    if ((others?.n ?? 0) === 0) throw new BadRequestError('the last enabled admin cannot lose that role');
  };

  const write = async (id: number, change: Partial<typeof users.$inferInsert>) => {
    const [updated] = await db
      .update(users)
      .set({ ...change, updatedAt: new Date(now()) })
      .where(eq(users.id, id))
      .returning();
    if (!updated) throw new NotFoundError(`no user ${id}`);
    return updated;
  };

  return {
    list: async () => (await db.select().from(users).orderBy(asc(users.name))).map(toConsoleUser),

    get: async (id) => toConsoleUser(await row(id)),

    count: async () => {
      const [result] = await db.select({ n: count() }).from(users);
      return result?.n ?? 0;
    },

    authenticate: async (name, password) => {
      const parsedName = Username.safeParse(name);
      const [found] = parsedName.success
        ? await db.select().from(users).where(eq(users.name, parsedName.data))
        : [];
      const matches = await verifyPassword(found?.passwordHash ?? (await decoy()), password);
      return found && matches && !found.disabled ? toConsoleUser(found) : undefined;
    },

    create: async (input, origin, options) => {
      const { name, role, scope, password } = CreateUserInput.parse(input);
      const at = new Date(now());
      const [created] = await db
        .insert(users)
        .values({
          name,
          role,
          scope,
          passwordHash: await hashPassword(password),
          mustChangePassword: options?.mustChangePassword ?? true,
          createdAt: at,
          updatedAt: at,
        })
        .onConflictDoNothing({ target: users.name })
        .returning();
      if (!created) throw new BadRequestError(`a user named ${name} exists`);
      await audit.append(origin, { action: 'user.create', target: name, details: { role, scope } });
      return toConsoleUser(created);
    },

    update: async ({ id, role, scope }, origin) => {
      const before = await row(id);
      if (before.role === 'admin' && role !== undefined && role !== 'admin') await keepAnAdmin(id);
      const updated = await write(id, { ...(role && { role }), ...(scope && { scope }) });
      const ended = await sessions.revokeAllOfUser(id);
      await audit.append(origin, {
        action: 'user.update',
        target: updated.name,
        details: {
          ...(role && { role: { from: before.role, to: role } }),
          ...(scope && { scope: { from: before.scope, to: scope } }),
          sessionsEnded: ended,
        },
      });
      return toConsoleUser(updated);
    },

    setDisabled: async (id, disabled, origin) => {
      const before = await row(id);
      if (disabled && before.role === 'admin' && !before.disabled) await keepAnAdmin(id);
      const updated = await write(id, { disabled });
      const ended = disabled ? await sessions.revokeAllOfUser(id) : 0;
      await audit.append(origin, {
        action: disabled ? 'user.disable' : 'user.enable',
        target: updated.name,
        details: { sessionsEnded: ended },
      });
      return toConsoleUser(updated);
    },

    resetPassword: async ({ id, password }, origin) => {
      const updated = await write(id, {
        passwordHash: await hashPassword(password),
        mustChangePassword: true,
      });
      const ended = await sessions.revokeAllOfUser(id);
      await audit.append(origin, {
        action: 'user.password.reset',
        target: updated.name,
        details: { sessionsEnded: ended },
      });
      return toConsoleUser(updated);
    },

    changeOwnPassword: async (id, { currentPassword, newPassword }, origin) => {
      const user = await row(id);
      if (!(await verifyPassword(user.passwordHash, currentPassword))) return false;
      if (currentPassword === newPassword) throw new BadRequestError('the new password must differ');
      await write(id, { passwordHash: await hashPassword(newPassword), mustChangePassword: false });
      const ended = await sessions.revokeAllOfUser(id);
      await audit.append(origin, {
        action: 'user.password.change',
        target: user.name,
        details: { sessionsEnded: ended },
      });
      return true;
    },
  };
}

function toConsoleUser(row: typeof users.$inferSelect): ConsoleUser {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    scope: row.scope,
    mustChangePassword: row.mustChangePassword,
    disabled: row.disabled,
    createdAt: row.createdAt.getTime(),
    updatedAt: row.updatedAt.getTime(),
  };
}
