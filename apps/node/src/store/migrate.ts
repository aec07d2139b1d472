import { fileURLToPath } from 'node:url';
import { applyMigrations } from '@tierscope/store';
import type { NodeStore } from './client.ts';

/** The committed drizzle-kit output, found from this file so any working directory works. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** Applies every migration not yet applied, in order; safe to call on every start. */
export function migrateStore(store: NodeStore): Promise<void> {
  return applyMigrations(store, MIGRATIONS_FOLDER);
}
