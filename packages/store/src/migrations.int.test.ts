import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, type TestDatabase } from '@tierscope/test-support/test-databases';
import { applyMigrations } from './migrations.ts';
import { openStore, type Store } from './open-store.ts';

const serverUrl = process.env.TEST_DATABASE_URL;
const schema = {};

/** A drizzle-kit style folder with two migrations, so a start has tables to create. */
function migrationsFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'tierscope-migrations-'));
  mkdirSync(join(folder, 'meta'));
  const tags = ['0000_notes', '0001_tags'];
  writeFileSync(
    join(folder, 'meta', '_journal.json'),
    JSON.stringify({
      version: '7',
      dialect: 'postgresql',
      entries: tags.map((tag, idx) => ({
        idx,
        version: '7',
        when: 1_700_000_000_000 + idx,
        tag,
        breakpoints: true,
      })),
    }),
  );
  writeFileSync(join(folder, '0000_notes.sql'), 'CREATE TABLE "notes" ("id" integer PRIMARY KEY NOT NULL);');
  writeFileSync(join(folder, '0001_tags.sql'), 'CREATE TABLE "tags" ("id" integer PRIMARY KEY NOT NULL);');
  return folder;
}

// Replicas share one PostgreSQL; PGlite is one process's own.
describe.skipIf(!serverUrl)('migrations started by several replicas at once', () => {
  const folder = migrationsFolder();
  const databases: TestDatabase[] = [];
  const stores: Array<Store<typeof schema>> = [];

  beforeAll(async () => {
    for (let round = 0; round < 4; round += 1) databases.push(await createPostgresDatabase(serverUrl!));
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await Promise.all(databases.map((d) => d.drop()));
    rmSync(folder, { recursive: true, force: true });
  });

  it('applies every migration once, and no start fails, when two replicas start together on a fresh database', async () => {
    // Without the lock, about half of such pairs fail on drizzle's own CREATE SCHEMA or a table.
    for (const database of databases) {
      const pair = await Promise.all(
        [1, 2].map(() => openStore(database.url, { schema, applicationName: 'tierscope-migrations-test' })),
      );
      stores.push(...pair);
      const settled = await Promise.allSettled(pair.map((store) => applyMigrations(store, folder)));
      expect(settled.map((s) => (s.status === 'rejected' ? String(s.reason) : 'ok'))).toEqual(['ok', 'ok']);
      const [applied] = await pair[0]!.exec<{ n: number }>(
        'select count(*)::int as n from drizzle.__drizzle_migrations',
      );
      expect(applied?.n).toBe(2);
    }
  });
});
