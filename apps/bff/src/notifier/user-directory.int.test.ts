import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseBackends, type TestDatabase } from '@tierscope/test-support/test-databases';
import { openBffStore, type BffStore } from '../store/client.ts';
import { migrateBffStore } from '../store/migrate.ts';
import { users } from '../store/schema.ts';
import { userDirectory } from './user-directory.ts';

const NIGHT = { from: '22:00', to: '07:00', timeZone: 'Europe/Prague' };

// One backend: PostgreSQL when the tests have it (the query is plain drizzle).
describe.each(testDatabaseBackends().slice(-1))('the BFF’s escalation targets on $name', ({ create }) => {
  let database: TestDatabase;
  let store: BffStore;

  beforeAll(async () => {
    database = await create();
    store = await openBffStore(database.url);
    await migrateBffStore(store);
    const at = new Date();
    const user = (name: string, extra: Partial<typeof users.$inferInsert>) => ({
      name,
      role: 'operator' as const,
      scope: ['**'],
      passwordHash: 'x',
      createdAt: at,
      updatedAt: at,
      ...extra,
    });
    await store.db
      .insert(users)
      .values([
        user('alice', { email: 'alice@example.com', quietHours: NIGHT }),
        user('bob', {}),
        user('carol', { email: 'carol@example.com', disabled: true }),
      ]);
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it('resolves a user to their email with their quiet hours, scope and role, by name in any case', async () => {
    expect(await userDirectory(store.db)({ user: 'Alice' })).toEqual([
      {
        key: 'email:alice@example.com',
        name: 'Alice',
        channel: 'email',
        address: 'alice@example.com',
        quietHours: NIGHT,
        // The whole tree (no scope), and an operator may ack.
        scope: undefined,
        mayAck: true,
      },
    ]);
  });

  it('tells no one for a user without an email, a disabled user or an unknown name', async () => {
    const directory = userDirectory(store.db);
    for (const name of ['bob', 'carol', 'nobody']) expect(await directory({ user: name })).toEqual([]);
  });

  it('passes email addresses and routes through as every tier does', async () => {
    const directory = userDirectory(store.db);
    expect((await directory({ email: 'ops@example.com' }))[0]?.key).toBe('email:ops@example.com');
    expect((await directory({ route: 'pd' }))[0]?.key).toBe('route:pd');
  });
});
