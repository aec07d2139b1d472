import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadBffConfig } from '../env.ts';
import { consoleAccessSettingsOf, sessionCookieOf } from './console-access.ts';

describe('console access settings', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads the defaults: PGlite under .data, user admin, 30 min idle, 12 h absolute, http cookie', () => {
    const config = loadBffConfig({});
    expect(config).toMatchObject({ databaseUrl: 'pglite:.data/bff', adminUser: 'admin' });
    expect(config.adminPassword).toBeUndefined();
    expect(consoleAccessSettingsOf(config)).toMatchObject({
      publicUrl: undefined,
      session: { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 },
    });
    expect(sessionCookieOf(config.publicUrl)).toEqual({ name: 'tierscope_session', secure: false });
  });

  it('takes the keys from the environment; https makes the cookie __Host- and Secure', () => {
    const config = loadBffConfig({
      DATABASE_URL: 'postgres://bff@db/tierscope',
      BFF_ADMIN_USER: 'Root',
      BFF_ADMIN_PASSWORD: 'long enough passphrase',
      BFF_PUBLIC_URL: 'https://console.example.com',
      SESSION_IDLE_MINUTES: '15',
      SESSION_MAX_HOURS: '8',
    });
    expect(config).toMatchObject({ adminUser: 'root', adminPassword: 'long enough passphrase' });
    expect(consoleAccessSettingsOf(config).session).toEqual({
      idleMs: 15 * 60_000,
      absoluteMs: 8 * 3_600_000,
    });
    expect(sessionCookieOf(config.publicUrl)).toEqual({ name: '__Host-tierscope_session', secure: true });
  });

  it('refuses a short admin password without printing it', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    vi.spyOn(process, 'exit').mockImplementation(() => {
      throw new Error('exit');
    });
    expect(() => loadBffConfig({ BFF_ADMIN_PASSWORD: 'hunter2' })).toThrow('exit');
    const printed = stderr.mock.calls.map(([text]) => String(text)).join('');
    expect(printed).toMatch(/adminPassword: password: at least 12 characters/);
    expect(printed).not.toContain('hunter2');
  });

  it('believes X-Forwarded-For only from the proxies in TRUST_PROXY, and refuses anything but addresses', () => {
    expect(loadBffConfig({}).trustProxy).toEqual([]);
    expect(loadBffConfig({ TRUST_PROXY: '10.0.0.5, 10.1.0.0/16,::1' }).trustProxy).toEqual([
      '10.0.0.5',
      '10.1.0.0/16',
      '::1',
    ]);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    vi.spyOn(process, 'exit').mockImplementation(() => {
      throw new Error('exit');
    });
    expect(() => loadBffConfig({ TRUST_PROXY: 'true' })).toThrow('exit');
    expect(stderr.mock.calls.map(([text]) => String(text)).join('')).toMatch(/trustProxy/);
  });
});
