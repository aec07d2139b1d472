import { fileURLToPath } from 'node:url';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type { BffSchema, BffStore } from './client.ts';

/** The committed drizzle-kit output, found from this file so any working directory works. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** Applies every migration not yet applied, in order; safe to call on every start and from every replica. */
export async function migrateBffStore(store: BffStore): Promise<void> {
  if (store.driver === 'pglite') {
    await migratePglite(store.db as unknown as PgliteDatabase<BffSchema>, {
      migrationsFolder: MIGRATIONS_FOLDER,
    });
  } else {
    await migratePostgres(store.db as unknown as PostgresJsDatabase<BffSchema>, {
      migrationsFolder: MIGRATIONS_FOLDER,
    });
  }
}
