import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleRouter, createCallerFactory, type ConsoleContext, type NodeService } from '@tierscope/shared';
import { testDatabaseBackends, type TestDatabase } from '@tierscope/test-support/test-databases';
import { userDirectory } from '../notifier/user-directory.ts';
import { openTestAccess, TEST_SETTINGS, type TestAccess } from '../testing/test-app.ts';
import { consoleServiceFor } from './console-service.ts';

const PASSWORD = 'correct horse battery staple';
const PUBLIC_KEY = `B${'A'.repeat(86)}`;
const KEYS = { p256dh: `B${'x'.repeat(86)}`, auth: 'y'.repeat(22) };
const PHONE = 'https://push.example.net/send/phone-1';

describe.each(testDatabaseBackends())('a user’s own notification settings on $name', (backend) => {
  let database: TestDatabase;
  let t: TestAccess;
  let userId: number;

  const callerAs = (id: number, name: string) => {
    const actor = { kind: 'user', name, role: 'viewer' } as const;
    const ctx: ConsoleContext = {
      node: {} as NodeService,
      actor,
      console: consoleServiceFor(
        t.access,
        { actor, userId: id, sessionId: 0, address: '192.0.2.7' },
        t.reports,
        t.dashboards,
      ),
    };
    return createCallerFactory(consoleRouter)(ctx);
  };

  beforeAll(async () => {
    database = await backend.create();
    t = await openTestAccess(database.url, { ...TEST_SETTINGS, pushPublicKey: PUBLIC_KEY });
    userId = (
      await t.access.users.create(
        { name: 'vera', role: 'viewer', password: PASSWORD },
        { actor: 'system', address: '' },
      )
    ).id;
  });
  afterAll(async () => {
    await t?.store.close();
    await database?.drop();
  });

  it('starts with no channel and offers the BFF’s push key to subscribe with', async () => {
    expect(await callerAs(userId, 'vera').notifications.get()).toEqual({
      email: null,
      quietHours: null,
      pushPublicKey: PUBLIC_KEY,
      pushSubscriptions: [],
    });
  });

  it('sets email and quiet hours, refusing a bad time zone by name, and audits the change', async () => {
    const vera = callerAs(userId, 'vera');
    await expect(
      vera.notifications.update({ quietHours: { from: '22:00', to: '07:00', timeZone: 'Mars/Olympus' } }),
    ).rejects.toThrow(/IANA time zone/);
    const settings = await vera.notifications.update({
      email: 'Vera@Example.com',
      quietHours: { from: '22:00', to: '07:00', timeZone: 'Europe/Prague' },
    });
    expect(settings).toMatchObject({ email: 'vera@example.com', quietHours: { from: '22:00' } });
    const audit = await t.access.audit.list({ action: 'notifications.' });
    expect(audit.items.map((e) => [e.actor, e.action, e.target])).toContainEqual([
      'vera',
      'notifications.update',
      'vera',
    ]);
  });

  it('reaches the user by email and on each subscribed browser, with their quiet hours', async () => {
    await callerAs(userId, 'vera').notifications.subscribePush({ endpoint: PHONE, keys: KEYS });
    const recipients = await userDirectory(t.store.db)({ user: 'vera' });
    expect(recipients.map((r) => [r.channel, r.key, r.quietHours?.timeZone])).toEqual([
      ['email', 'email:vera@example.com', 'Europe/Prague'],
      ['push', `push:${PHONE}`, 'Europe/Prague'],
    ]);
    expect(recipients[1]!.push).toEqual(KEYS);
    // vera is a viewer of the whole tree: told of every alert, offered no Ack.
    expect(recipients.map((r) => [r.scope, r.mayAck])).toEqual([
      [undefined, false],
      [undefined, false],
    ]);
  });

  it('gives an operator’s channels their scope, and lets them ack from the notification', async () => {
    const otto = await t.access.users.create(
      { name: 'otto', role: 'operator', password: PASSWORD, scope: ['district-2/**'] },
      { actor: 'system', address: '' },
    );
    await callerAs(otto.id, 'otto').notifications.subscribePush({
      endpoint: `${PHONE}-otto`,
      keys: KEYS,
    });
    const recipients = await userDirectory(t.store.db)({ user: 'otto' });
    expect(recipients.map((r) => [r.channel, r.scope, r.mayAck])).toEqual([['push', ['district-2'], true]]);
  });

  it('lets the same browser subscribe again without a second subscription', async () => {
    const settings = await callerAs(userId, 'vera').notifications.subscribePush({
      endpoint: PHONE,
      keys: { ...KEYS, auth: 'z'.repeat(22) },
    });
    expect(settings.pushSubscriptions.map((s) => s.endpoint)).toEqual([PHONE]);
  });

  it('forgets a subscription the push service said is gone', async () => {
    await t.access.notificationSettings.forgetPush(PHONE);
    expect((await callerAs(userId, 'vera').notifications.get()).pushSubscriptions).toEqual([]);
    expect((await userDirectory(t.store.db)({ user: 'vera' })).map((r) => r.channel)).toEqual(['email']);
  });

  it('refuses a subscription whose keys are not a browser’s', async () => {
    await expect(
      callerAs(userId, 'vera').notifications.subscribePush({
        endpoint: PHONE,
        keys: { p256dh: 'short', auth: 'x' },
      }),
    ).rejects.toThrow(/P-256 public key/);
  });
});
