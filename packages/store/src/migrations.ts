import { readFileSync } from 'node:fs';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type { Schema, Store } from './open-store.ts';

/**
 * Held while a PostgreSQL tier migrates: drizzle's migrator is not safe against itself (two BFF
 * replicas starting together on a fresh database both create its schema and tables, and one fails),
 * so starts take turns; the later one finds every migration applied.
 */
const MIGRATION_LOCK = 0x7a5c_0d17;

/**
 * Applies every migration in `migrationsFolder` (drizzle-kit's output) not yet applied, in order;
 * safe to call on every start and from every replica (they take turns under an advisory lock).
 */
export async function applyMigrations<S extends Schema>(
  store: Store<S>,
  migrationsFolder: string,
): Promise<void> {
  if (store.driver === 'pglite') {
    await migratePglite(store.db as unknown as PgliteDatabase<S>, { migrationsFolder });
  } else {
    // The lock is held by this transaction's connection; the migrator runs on another of the pool.
    await store.transaction(async (tx) => {
      await tx.exec(`select pg_advisory_xact_lock(${MIGRATION_LOCK})`);
      await migratePostgres(store.db as unknown as PostgresJsDatabase<S>, { migrationsFolder });
    });
  }
}

/** For /readyz: whether the database has every migration in `migrationsFolder`, and if not, what is missing. */
export async function checkMigrations<S extends Schema>(
  store: Store<S>,
  migrationsFolder: string,
): Promise<{ ok: boolean; detail?: string }> {
  const journal = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as {
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

/**
 * The readiness checks of a tier's own database: it answers, and it has every migration in
 * `migrationsFolder` (each run within the readiness timeout of the caller).
 */
export function storeReadiness<S extends Schema>(
  store: Store<S>,
  migrationsFolder: string,
): Array<{ name: string; check(): Promise<{ ok: boolean; detail?: string }> }> {
  return [
    { name: 'database', check: async () => ({ ok: await store.ping() }) },
    { name: 'migrations', check: () => checkMigrations(store, migrationsFolder) },
  ];
}
