import { hash } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { DeviceAuthenticator } from './device-authenticator.ts';
import { hashDevicePassword, newDevicePassword } from './device-password.ts';

describe('DeviceAuthenticator', () => {
  it('accepts the current password of a device, again from its verified login, and refuses others', async () => {
    const password = newDevicePassword();
    const authenticator = new DeviceAuthenticator([['pump-7', hashDevicePassword(password)]]);
    expect(await authenticator.verify('pump-7', Buffer.from(password))).toBe(true);
    expect(await authenticator.verify('pump-7', Buffer.from(password))).toBe(true);
    expect(await authenticator.verify('pump-7', Buffer.from(`${password}x`))).toBe(false);
    expect(await authenticator.verify('pump-7', Buffer.from(''))).toBe(false);
    expect(await authenticator.verify('pump-8', Buffer.from(password))).toBe(false);
  });

  it('refuses a wrong password before any login has verified', async () => {
    const authenticator = new DeviceAuthenticator([['pump-7', hashDevicePassword(newDevicePassword())]]);
    expect(await authenticator.verify('pump-7', newDevicePassword())).toBe(false);
  });

  it('still logs in a device whose credentials were stored as argon2id (before decision 25)', async () => {
    const password = newDevicePassword();
    const authenticator = new DeviceAuthenticator([['pump-7', await hash(password, { algorithm: 2 })]]);
    expect(await authenticator.verify('pump-7', newDevicePassword())).toBe(false);
    expect(await authenticator.verify('pump-7', password)).toBe(true);
    expect(await authenticator.verify('pump-7', password)).toBe(true);
  });

  it('refuses the old password after a rotation and accepts the new one', async () => {
    const old = newDevicePassword();
    const authenticator = new DeviceAuthenticator([['pump-7', hashDevicePassword(old)]]);
    expect(await authenticator.verify('pump-7', old)).toBe(true);
    const fresh = newDevicePassword();
    authenticator.setPasswordHash('pump-7', hashDevicePassword(fresh));
    expect(await authenticator.verify('pump-7', old)).toBe(false);
    expect(await authenticator.verify('pump-7', fresh)).toBe(true);
  });

  it('refuses a password whose check was still running when the device was rotated', async () => {
    const old = newDevicePassword();
    const authenticator = new DeviceAuthenticator([['pump-7', hashDevicePassword(old)]]);
    const freshHash = hashDevicePassword(newDevicePassword());
    const checking = authenticator.verify('pump-7', old);
    authenticator.setPasswordHash('pump-7', freshHash);
    expect(await checking).toBe(false);
  });

  it('treats a stored value that is neither hash form as no password', async () => {
    const authenticator = new DeviceAuthenticator([['pump-7', 'not-a-hash']]);
    expect(await authenticator.verify('pump-7', 'not-a-hash')).toBe(false);
  });
});
