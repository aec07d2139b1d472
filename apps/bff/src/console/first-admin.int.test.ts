import { afterEach, describe, expect, it } from 'vitest';
import { testDatabaseBackends, type TestDatabase } from '@tierscope/test-support/test-databases';
import { bootstrapFirstAdmin } from './first-admin.ts';
import { openTestAccess, type TestAccess } from '../testing/test-app.ts';

describe.each(testDatabaseBackends())('first admin on $name', (backend) => {
  let database: TestDatabase | undefined;
  let t: TestAccess | undefined;

  const fresh = async () => {
    database = await backend.create();
    t = await openTestAccess(database.url);
    return t;
  };
  afterEach(async () => {
    await t?.store.close();
    await database?.drop();
    t = undefined;
    database = undefined;
  });

  it('creates the admin from configuration, prints nothing, and leaves it alone at the next start', async () => {
    const { access } = await fresh();
    const printed: string[] = [];
    const settings = { adminUser: 'root', adminPassword: 'configured passphrase' };
    expect(await bootstrapFirstAdmin(access.users, settings, (text) => printed.push(text))).toBe(
      'configured',
    );
    expect(printed).toEqual([]);
    expect(await access.users.authenticate('root', 'configured passphrase')).toMatchObject({
      role: 'admin',
      mustChangePassword: false,
    });

    await access.users.changeOwnPassword(
      (await access.users.list())[0]!.id,
      { currentPassword: 'configured passphrase', newPassword: 'the admin chose this one' },
      { actor: 'root', address: '192.0.2.1' },
    );
    expect(await bootstrapFirstAdmin(access.users, settings, (text) => printed.push(text))).toBe(
      'users-exist',
    );
    expect(await access.users.authenticate('root', 'the admin chose this one')).toBeDefined();
    expect((await access.audit.list({ action: 'user.create' })).items).toEqual([
      expect.objectContaining({ actor: 'system', target: 'root', details: { role: 'admin', scope: ['**'] } }),
    ]);
  });

  it('without a configured password prints a one-time password once, which must be changed', async () => {
    const { access } = await fresh();
    const printed: string[] = [];
    expect(
      await bootstrapFirstAdmin(access.users, { adminUser: 'admin' }, (text) => printed.push(text)),
    ).toBe('one-time');
    expect(printed).toHaveLength(1);
    const password = /^ {4}(\S+)$/m.exec(printed[0]!)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await access.users.authenticate('admin', password!)).toMatchObject({
      role: 'admin',
      mustChangePassword: true,
    });
    expect(
      await bootstrapFirstAdmin(access.users, { adminUser: 'admin' }, (text) => printed.push(text)),
    ).toBe('users-exist');
    expect(printed).toHaveLength(1);
  });

  it('creates one admin when replicas start together, and only the one that created it prints', async () => {
    const { access } = await fresh();
    const printed: string[] = [];
    const outcomes = await Promise.all(
      [1, 2, 3].map(() =>
        bootstrapFirstAdmin(access.users, { adminUser: 'admin' }, (text) => printed.push(text)),
      ),
    );
    expect(outcomes.filter((outcome) => outcome === 'one-time')).toHaveLength(1);
    expect(printed).toHaveLength(1);
    expect(await access.users.count()).toBe(1);
  });
});
