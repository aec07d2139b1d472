import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { verify } from '@node-rs/argon2';

/*
 * Device passwords are 256-bit random tokens the node makes itself, never chosen by a person, so
 * a fast digest stores them as safely as a slow KDF would: there is no dictionary to try, and 2^256
 * guesses stay out of reach at any hashing speed (docs/decisions/0025-device-provisioning.md).
 * New credentials are stored as `$sha256$<base64url digest>`; the argon2id PHC strings of older
 * credentials (docs/decisions/0010) still verify.
 */
const SHA256_PREFIX = '$sha256$';

/** A new device password: 32 random bytes, base64url (43 characters, safe in any MQTT client). */
export function newDevicePassword(): string {
  return randomBytes(32).toString('base64url');
}

/** The stored form of a password `newDevicePassword` made; costs one digest. */
export function hashDevicePassword(password: string): string {
  return `${SHA256_PREFIX}${createHash('sha256').update(password).digest('base64url')}`;
}

/** Whether a stored hash costs argon2 to verify (credentials made before decision 25). */
export function isSlowDevicePasswordHash(storedHash: string): boolean {
  return !storedHash.startsWith(SHA256_PREFIX);
}

/** False for a wrong password and for a stored value that is neither form. */
export async function verifyDevicePassword(storedHash: string, password: Buffer | string): Promise<boolean> {
  if (storedHash.startsWith(SHA256_PREFIX)) {
    const stored = Buffer.from(storedHash.slice(SHA256_PREFIX.length), 'base64url');
    const given = createHash('sha256').update(password).digest();
    return stored.length === given.length && timingSafeEqual(stored, given);
  }
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}
