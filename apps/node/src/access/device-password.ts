import { randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';

/**
 * argon2id with OWASP's first recommended configuration (19 MiB, 2 passes, 1 lane), the BFF's
 * parameters for user passwords: one hashing library and one policy in the project. The PHC string
 * carries parameters and salt. Verifying costs ~20 ms, which DeviceAuthenticator pays once per
 * device and password (docs/decisions/0010).
 */
const DEVICE_PASSWORD_HASH: Options = {
  // `Algorithm` is a const enum, which isolated modules cannot read: 2 is its Argon2id.
  algorithm: 2 satisfies Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

/** A new device password: 32 random bytes, base64url (43 characters, safe in any MQTT client). */
export function newDevicePassword(): string {
  return randomBytes(32).toString('base64url');
}

export function hashDevicePassword(password: string): Promise<string> {
  return hash(password, DEVICE_PASSWORD_HASH);
}

/** False for a wrong password and for a stored value that is not an argon2 hash. */
export async function verifyDevicePassword(storedHash: string, password: Buffer | string): Promise<boolean> {
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}
