import postgres, { type Sql } from 'postgres';
import { onInterrupt, progress } from './bench.ts';

/** The server the benches create their throwaway databases on. */
export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh database for one run; `drop` removes it even if connections are still open. */
export async function createBenchDatabase(label: string): Promise<BenchDatabase> {
  const name = `tierscope_bench_${label.replace(/[^a-z0-9_]/g, '_')}_${process.pid}_${Date.now().toString(36)}`;
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  let dropped = false;
  const drop = async (): Promise<void> => {
    if (dropped) return;
    dropped = true;
    unregister();
    const sql = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
    try {
      await sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await sql.end();
    }
  };
  const unregister = onInterrupt(drop);
  progress(`created database ${name}`);
  return { url: url.toString(), drop };
}

/** The narrow samples table of the node, with the primary key that makes writes idempotent. */
export async function createSamplesTable(sql: Sql): Promise<void> {
  await sql`
    CREATE TABLE samples (
      device_id text NOT NULL,
      metric text NOT NULL,
      ts timestamptz NOT NULL,
      value float8 NOT NULL,
      PRIMARY KEY (device_id, metric, ts)
    )`;
}
