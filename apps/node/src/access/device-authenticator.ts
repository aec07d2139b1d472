import { createHash, timingSafeEqual } from 'node:crypto';
import { verifyDevicePassword } from './device-password.ts';

/** A login that verified against the stored hash, remembered as the password's SHA-256. */
interface VerifiedLogin {
  storedHash: string;
  digest: Buffer;
}

/**
 * Checks device logins against the stored password hashes, held in memory. New credentials are
 * one digest to check (docs/decisions/0025); for older argon2id ones the slow verify runs once per
 * device and password: after it, the password's SHA-256 is kept, so a reconnect (or a wrong
 * password for a device that has logged in) costs one digest. Only the latest hash of a device
 * counts: a rotation forgets the verified login (docs/decisions/0010).
 */
export class DeviceAuthenticator {
  private readonly hashes: Map<string, string>;
  private readonly verified = new Map<string, VerifiedLogin>();

  constructor(hashes: Iterable<readonly [deviceId: string, passwordHash: string]> = []) {
    this.hashes = new Map(hashes);
  }

  /** Whether `password` is the current password of the device named `username`. */
  async verify(username: string, password: Buffer | string): Promise<boolean> {
    const storedHash = this.hashes.get(username);
    if (storedHash === undefined) return false;
    const digest = createHash('sha256').update(password).digest();
    const known = this.verified.get(username);
    // One hash verifies one password: any other password is wrong without asking argon2.
    if (known?.storedHash === storedHash) return timingSafeEqual(known.digest, digest);
    if (!(await verifyDevicePassword(storedHash, password))) return false;
    // A rotation while argon2 ran makes this password an old one.
    if (this.hashes.get(username) !== storedHash) return false;
    this.verified.set(username, { storedHash, digest });
    return true;
  }

  /** The device's new password hash, in force from now on. */
  setPasswordHash(deviceId: string, passwordHash: string): void {
    this.hashes.set(deviceId, passwordHash);
    this.verified.delete(deviceId);
  }
}
