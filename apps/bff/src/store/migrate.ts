import { join } from 'node:path';
import { applyMigrations } from '@tierscope/store';
import { APP_ROOT } from '../app-root.ts';
import type { BffStore } from './client.ts';

/** The committed drizzle-kit output, found from the app's folder so any working directory works. */
export const MIGRATIONS_FOLDER = join(APP_ROOT, 'drizzle');

/** Applies every migration not yet applied, in order; safe to call on every start and from every replica. */
export function migrateBffStore(store: BffStore): Promise<void> {
  return applyMigrations(store, MIGRATIONS_FOLDER);
}
