import { generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import { openStore, type RawExecutor, type Store } from '@tierscope/store';
import type { TestDatabase } from '@tierscope/test-support/test-databases';
import * as tables from '../notifier-tables.ts';

export type NotifierTestStore = Store<typeof tables>;

export function openNotifierTestStore(databaseUrl: string): Promise<NotifierTestStore> {
  return openStore(databaseUrl, { schema: tables, applicationName: 'tierscope-notify-test' });
}

/**
 * Creates the notifier's tables, and `more` (other drizzle tables a test needs), from the same
 * definitions the tiers' drizzle-kit migrations are generated from (those live in the apps).
 */
export async function createNotifierTables(
  store: RawExecutor,
  more: Record<string, unknown> = {},
): Promise<void> {
  const statements = await generateMigration(
    generateDrizzleJson({}),
    generateDrizzleJson({ ...tables, ...more }),
  );
  for (const statement of statements) await store.exec(statement);
}

/** A fresh test database holding the notifier's tables (and `more`), open as `store`. */
export interface NotifierTestDatabase extends TestDatabase {
  store: NotifierTestStore;
  /** Closes the store and drops the database. */
  close(): Promise<void>;
}

export async function notifierTestDatabase(
  create: () => Promise<TestDatabase>,
  more: Record<string, unknown> = {},
): Promise<NotifierTestDatabase> {
  const database = await create();
  const store = await openNotifierTestStore(database.url);
  await createNotifierTables(store, more);
  return {
    ...database,
    store,
    close: async () => {
      await store.close();
      await database.drop();
    },
  };
}
