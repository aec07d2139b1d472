import { randomBytes } from 'node:crypto';
import { BadRequestError } from '@tierscope/shared';
import type { Users } from './users.ts';

export interface FirstAdminSettings {
  adminUser: string;
  /** BFF_ADMIN_PASSWORD; without it a one-time password is generated and printed. */
  adminPassword?: string | undefined;
}

export type FirstAdminOutcome = 'configured' | 'one-time' | 'users-exist';

const SYSTEM = { actor: 'system', address: '' };

/**
 * Creates the first admin when the BFF has no users yet: with BFF_ADMIN_PASSWORD when it is set,
 * otherwise with a one-time password that is printed once through `print` (stdout, never the
 * logger) and must be changed at first login. Does nothing once any user exists, so a restart
 * never resets a password. Replicas starting together create the user once: only the one that did
 * prints.
 */
export async function bootstrapFirstAdmin(
  users: Users,
  settings: FirstAdminSettings,
  print: (text: string) => void,
): Promise<FirstAdminOutcome> {
  if ((await users.count()) > 0) return 'users-exist';
  const oneTime = settings.adminPassword === undefined;
  // 18 random bytes: 24 characters of base64url, 144 bits.
  const password = settings.adminPassword ?? randomBytes(18).toString('base64url');
  try {
    await users.create({ name: settings.adminUser, role: 'admin', password }, SYSTEM, {
      mustChangePassword: oneTime,
    });
  } catch (error) {
    if (error instanceof BadRequestError) return 'users-exist';
    throw error;
  }
  if (!oneTime) return 'configured';
  print(
    `\nTierscope console: first admin "${settings.adminUser}" with the one-time password\n\n    ${password}\n\n` +
      'It is shown only now; choose a new password at the first login.\n\n',
  );
  return 'one-time';
}
