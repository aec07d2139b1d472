import { mkdirSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema.ts';

export type StoreDriver = 'postgres' | 'pglite';
export type BffSchema = typeof schema;
/** The drizzle database both drivers share: query code is written once against this type. */
export type BffDatabase = PgDatabase<PgQueryResultHKT, BffSchema>;

export type Row = Record<string, unknown>;

/** The BFF's own database: users, sessions, login attempts and the audit log. */
export interface BffStore {
  driver: StoreDriver;
  db: BffDatabase;
  /** Raw SQL with `$1…` parameters, for statements drizzle cannot build; returns the rows. */
  exec<T extends Row = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Opens the BFF's database: `postgres://…` through postgres.js, `pglite:memory` in memory,
 * `pglite:<dir>` on disk (the directory is created).
 */
export async function openBffStore(databaseUrl: string): Promise<BffStore> {
  if (databaseUrl.startsWith('pglite:')) return openPglite(databaseUrl.slice('pglite:'.length));
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return openPostgres(databaseUrl);
  throw new Error('database url must be postgres://…, pglite:memory or pglite:<dir>');
}

async function openPglite(location: string): Promise<BffStore> {
  // Loaded on demand: a BFF on PostgreSQL never pays PGlite's WASM and modules.
  const { PGlite: PGliteClient } = await import('@electric-sql/pglite');
  const { drizzle: drizzlePglite } = await import('drizzle-orm/pglite');
  let client: PGlite;
  if (location === 'memory') {
    client = await PGliteClient.create();
  } else {
    mkdirSync(location, { recursive: true });
    client = await PGliteClient.create(location);
  }
  await client.exec(`SET TIME ZONE 'UTC'`);
  const db = drizzlePglite({ client, schema }) as unknown as BffDatabase;
  const exec = async <T extends Row>(text: string, params: readonly unknown[] = []): Promise<T[]> =>
    (await client.query<T>(text, params as unknown[])).rows;
  return { driver: 'pglite', db, exec, ping: () => pingWith(exec), close: () => client.close() };
}

async function openPostgres(url: string): Promise<BffStore> {
  const sql = postgres(url, {
    max: 10,
    onnotice: () => {},
    connection: { TimeZone: 'UTC', application_name: 'tierscope-bff' },
  });
  const db = drizzlePostgres({ client: sql, schema }) as unknown as BffDatabase;
  const exec = async <T extends Row>(text: string, params: readonly unknown[] = []): Promise<T[]> =>
    (await sql.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as T[];
  return {
    driver: 'postgres',
    db,
    exec,
    ping: () => pingWith(exec),
    close: () => sql.end({ timeout: 5 }),
  };
}

async function pingWith(exec: BffStore['exec']): Promise<boolean> {
  try {
    await exec('select 1');
    return true;
  } catch {
    return false;
  }
}
