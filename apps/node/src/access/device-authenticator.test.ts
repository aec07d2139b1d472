import { describe, expect, it } from 'vitest';
import { DeviceAuthenticator } from './device-authenticator.ts';
import { hashDevicePassword, newDevicePassword } from './device-password.ts';

describe('DeviceAuthenticator', () => {
  it('accepts the current password of a device, again from its verified login, and refuses others', async () => {
    const password = newDevicePassword();
    const authenticator = new DeviceAuthenticator([['pump-7', await hashDevicePassword(password)]]);
    expect(await authenticator.verify('pump-7', Buffer.from(password))).toBe(true);
    expect(await authenticator.verify('pump-7', Buffer.from(password))).toBe(true);
    expect(await authenticator.verify('pump-7', Buffer.from(`${password}x`))).toBe(false);
    expect(await authenticator.verify('pump-7', Buffer.from(''))).toBe(false);
    expect(await authenticator.verify('pump-8', Buffer.from(password))).toBe(false);
  });

  it('refuses a wrong password before any login has verified, through argon2', async () => {
    const authenticator = new DeviceAuthenticator([
      ['pump-7', await hashDevicePassword(newDevicePassword())],
    ]);
    expect(await authenticator.verify('pump-7', newDevicePassword())).toBe(false);
  });

  it('refuses the old password after a rotation and accepts the new one', async () => {
    const old = newDevicePassword();
    const authenticator = new DeviceAuthenticator([['pump-7', await hashDevicePassword(old)]]);
    expect(await authenticator.verify('pump-7', old)).toBe(true);
    const fresh = newDevicePassword();
    authenticator.setPasswordHash('pump-7', await hashDevicePassword(fresh));
    expect(await authenticator.verify('pump-7', old)).toBe(false);
    expect(await authenticator.verify('pump-7', fresh)).toBe(true);
  });

  it('refuses a password whose check was still running when the device was rotated', async () => {
    const old = newDevicePassword();
    const authenticator = new DeviceAuthenticator([['pump-7', await hashDevicePassword(old)]]);
    const freshHash = await hashDevicePassword(newDevicePassword());
    const checking = authenticator.verify('pump-7', old);
    authenticator.setPasswordHash('pump-7', freshHash);
    expect(await checking).toBe(false);
  });

  it('treats a stored value that is not an argon2 hash as no password', async () => {
    const authenticator = new DeviceAuthenticator([['pump-7', 'not-a-hash']]);
    expect(await authenticator.verify('pump-7', 'not-a-hash')).toBe(false);
  });
});
