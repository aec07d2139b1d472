import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseBackends, type TestDatabase } from '@tierscope/test-support/test-databases';
import { openStore, type Store } from './open-store.ts';

const schema = {};

describe.each(testDatabaseBackends())('store on $name', ({ create }) => {
  let database: TestDatabase;
  let store: Store<typeof schema>;

  beforeAll(async () => {
    database = await create();
    store = await openStore(database.url, { schema, applicationName: 'tierscope-store-test' });
    await store.exec(`create table notes (id int primary key, body text not null)`);
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it('runs parameterised statements, plain and prepared, with the same results', async () => {
    await store.exec(`insert into notes (id, body) values ($1, $2), ($3, $4)`, [1, 'one', 2, 'two']);
    const plain = await store.exec<{ id: number; body: string }>(
      `select id, body from notes where id > $1 order by id`,
      [0],
    );
    const prepared = await store.execPrepared<{ id: number; body: string }>(
      `select id, body from notes where id > $1 order by id`,
      [0],
    );
    expect(plain).toEqual([
      { id: 1, body: 'one' },
      { id: 2, body: 'two' },
    ]);
    expect(prepared).toEqual(plain);
  });

  it('commits a transaction that resolves and rolls back one that throws', async () => {
    await store.transaction(async (tx) => {
      await tx.exec(`insert into notes (id, body) values ($1, $2)`, [10, 'kept']);
    });
    await expect(
      store.transaction(async (tx) => {
        await tx.exec(`insert into notes (id, body) values ($1, $2)`, [11, 'lost']);
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    const ids = await store.exec<{ id: number }>(`select id from notes where id >= 10 order by id`);
    expect(ids.map((r) => r.id)).toEqual([10]);
  });

  it('runs every session in UTC, so timestamps read back as written', async () => {
    const [zone] = await store.exec<{ zone: string }>(`select current_setting('TimeZone') as zone`);
    expect(zone?.zone).toBe('UTC');
  });

  it('answers ping', async () => {
    expect(await store.ping()).toBe(true);
  });
});

describe('openStore', () => {
  it('refuses a url it cannot open, naming the forms it takes', async () => {
    await expect(openStore('mysql://localhost/x', { schema, applicationName: 'x' })).rejects.toThrow(
      /postgres:\/\/…, pglite:memory or pglite:<dir>/,
    );
  });
});
