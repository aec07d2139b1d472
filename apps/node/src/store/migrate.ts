import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type { NodeSchema, Store } from './client.ts';

/** The committed drizzle-kit output, found from this file so any working directory works. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** Applies every migration not yet applied, in order; safe to call on every start. */
export async function migrateStore(store: Store): Promise<void> {
  if (store.driver === 'pglite') {
    await migratePglite(store.db as unknown as PgliteDatabase<NodeSchema>, {
      migrationsFolder: MIGRATIONS_FOLDER,
    });
  } else {
    await migratePostgres(store.db as unknown as PostgresJsDatabase<NodeSchema>, {
      migrationsFolder: MIGRATIONS_FOLDER,
    });
  }
}

/** For /readyz: whether the database has every migration this build ships, and if not, what is missing. */
export async function migrationsApplied(store: Store): Promise<{ ok: boolean; detail?: string }> {
  const journal = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, 'utf8')) as {
    entries: Array<{ when: number; tag: string }>;
  };
  const expected = journal.entries.length;
  const [table] = await store.exec<{ present: boolean }>(
    `select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
  );
  if (!table?.present) return { ok: false, detail: `no migrations applied; this build has ${expected}` };
  const [row] = await store.exec<{ applied: number }>(
    `select count(*)::int as applied from drizzle.__drizzle_migrations`,
  );
  const applied = row?.applied ?? 0;
  return applied >= expected
    ? { ok: true }
    : { ok: false, detail: `${applied} of ${expected} migrations applied` };
}
