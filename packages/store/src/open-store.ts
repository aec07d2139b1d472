import { mkdirSync } from 'node:fs';
import net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { initPgliteDataDir } from './pglite-initdb.ts';

export type StoreDriver = 'postgres' | 'pglite';
/** A drizzle schema module (`import * as schema from './schema.ts'`). */
export type Schema = Record<string, unknown>;
/** The drizzle database both drivers share: query code is written once against this type. */
export type StoreDatabase<S extends Schema> = PgDatabase<PgQueryResultHKT, S>;

export type Row = Record<string, unknown>;

/** Raw SQL on the driver itself, for the hot path and for statements drizzle cannot build. */
export interface RawExecutor {
  /**
   * Runs one statement with `$1…` parameters and returns its rows. Pass arrays for `$n::type[]`,
   * numbers for float8/int8, and JSON text for jsonb: both drivers then agree on every type.
   */
  exec<T extends Row = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /**
   * postgres.js in a transaction only: sends `data` to `COPY … FROM STDIN` (`statement`). Resolves
   * once the data is handed to the socket, not when PostgreSQL has taken it. A COPY that fails
   * after that shows only as the transaction's next statement failing (25P02: postgres.js drops
   * the COPY's own error), so always send one after it.
   */
  copyIn?(statement: string, data: Buffer): Promise<void>;
}

export interface Store<S extends Schema> extends RawExecutor {
  driver: StoreDriver;
  db: StoreDatabase<S>;
  /**
   * `exec` for the read hot path: the statement is parsed and planned once per connection and
   * reused, so pass texts of a small fixed set (filters as `$n`, never values spliced in).
   */
  execPrepared<T extends Row = Row>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs `fn` in one transaction on the raw driver; commits when it resolves, rolls back when it throws. */
  transaction<R>(fn: (tx: RawExecutor) => Promise<R>): Promise<R>;
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface StoreOptions<S extends Schema> {
  schema: S;
  /** Shown in pg_stat_activity, so an operator can tell the tiers' connections apart. */
  applicationName: string;
}

/**
 * Opens a tier's own database: `postgres://…` through postgres.js, `pglite:memory` in memory,
 * `pglite:<dir>` on disk (the directory is created).
 */
export async function openStore<S extends Schema>(
  databaseUrl: string,
  options: StoreOptions<S>,
): Promise<Store<S>> {
  if (databaseUrl.startsWith('pglite:')) return openPglite(databaseUrl.slice('pglite:'.length), options);
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return openPostgres(databaseUrl, options);
  throw new Error('database url must be postgres://…, pglite:memory or pglite:<dir>');
}

async function openPglite<S extends Schema>(
  location: string,
  { schema }: StoreOptions<S>,
): Promise<Store<S>> {
  // Loaded on demand: a tier on PostgreSQL never pays PGlite's ~46 MB of WASM and modules.
  const { PGlite: PGliteClient } = await import('@electric-sql/pglite');
  const { drizzle: drizzlePglite } = await import('drizzle-orm/pglite');
  let client: PGlite;
  if (location === 'memory') {
    client = await PGliteClient.create();
  } else {
    mkdirSync(location, { recursive: true });
    await initPgliteDataDir(location);
    client = await PGliteClient.create(location);
  }
  await client.exec(`SET TIME ZONE 'UTC'`);
  const db = drizzlePglite({ client, schema }) as unknown as StoreDatabase<S>;
  const exec = async <T extends Row>(text: string, params: readonly unknown[] = []): Promise<T[]> =>
    (await client.query<T>(text, params as unknown[])).rows;
  return {
    driver: 'pglite',
    db,
    exec,
    // PGlite runs in-process: no connection round trip for a prepared statement to save.
    execPrepared: exec,
    transaction: (fn) =>
      client.transaction((tx) =>
        fn({
          exec: async <T extends Row>(text: string, params: readonly unknown[] = []) =>
            (await tx.query<T>(text, params as unknown[])).rows,
        }),
      ),
    ping: () => pingWith(exec),
    close: () => client.close(),
  };
}

async function openPostgres<S extends Schema>(
  url: string,
  { schema, applicationName }: StoreOptions<S>,
): Promise<Store<S>> {
  const sql = postgresNoDelay(url, {
    max: 10,
    connection: { TimeZone: 'UTC', application_name: applicationName },
  });
  const db = drizzlePostgres({ client: sql, schema }) as unknown as StoreDatabase<S>;
  const exec = async <T extends Row>(text: string, params: readonly unknown[] = []): Promise<T[]> =>
    (await sql.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as T[];
  return {
    driver: 'postgres',
    db,
    exec,
    execPrepared: async <T extends Row>(text: string, params: readonly unknown[] = []): Promise<T[]> =>
      (await sql.unsafe(text, params as postgres.ParameterOrJSON<never>[], {
        prepare: true,
      })) as unknown as T[],
    transaction: async (fn) =>
      (await sql.begin((tx) =>
        fn({
          exec: async <T extends Row>(text: string, params: readonly unknown[] = []) =>
            (await tx.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as T[],
          copyIn: (statement, data) => copyIn(tx, statement, data),
        }),
      )) as Awaited<ReturnType<typeof fn>>,
    ping: () => pingWith(exec),
    close: () => sql.end({ timeout: 5 }),
  };
}

/**
 * One COPY FROM STDIN on a transaction's connection. postgres.js settles the COPY's stream only on
 * success and refuses further statements until the stream has ended: so this resolves once the
 * data is written and the stream ended, and rejects if the stream fails before.
 */
async function copyIn(tx: postgres.TransactionSql, statement: string, data: Buffer): Promise<void> {
  const stream = await tx.unsafe(statement).writable();
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.write(data, (error) => {
      if (error) {
        reject(error);
        return;
      }
      stream.end();
      // The stream leaves COPY mode in its final step, right after end(). A failure that comes
      // later is the next statement's to report (25P02); an 'error' then must not crash the node.
      setImmediate(() => {
        stream.off('error', reject);
        stream.on('error', () => undefined);
        resolve();
      });
    });
  });
}

/**
 * postgres.js with TCP_NODELAY on its sockets. As shipped it leaves Nagle's algorithm on, and a
 * batch's small closing write then waits for the server's delayed ACK, ~40 ms (LIMITS.md).
 */
export function postgresNoDelay(
  url: string,
  options: postgres.Options<Record<string, never>> = {},
): postgres.Sql {
  // `socket` is a documented option missing from postgres.js's types.
  const withSocket: postgres.Options<Record<string, never>> & { socket: typeof connectNoDelay } = {
    onnotice: () => {},
    ...options,
    socket: connectNoDelay,
  };
  return postgres(url, withSocket);
}

/**
 * postgres.js calls this instead of connecting itself. The socket goes back at once, still
 * connecting (postgres.js's first writes wait in it): a refused or failed connect then reaches
 * postgres.js as the socket's 'error' and 'close', which end that connection and free its pool
 * slot. Rejecting here instead would leave the slot taken for good (postgres.js does not close a
 * connection whose `socket` failed), and after `max` refusals every query would wait forever.
 */
function connectNoDelay(options: { host: string[]; port: number[]; path?: string | false }): net.Socket {
  return options.path
    ? net.connect({ path: options.path })
    : net.connect({ host: options.host[0] ?? 'localhost', port: options.port[0] ?? 5432, noDelay: true });
}

async function pingWith(exec: RawExecutor['exec']): Promise<boolean> {
  try {
    await exec('select 1');
    return true;
  } catch {
    return false;
  }
}
