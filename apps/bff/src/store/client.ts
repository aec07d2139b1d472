// The BFF's own database (users, sessions, login attempts, the audit log): the shared store
// (packages/store) opened with the BFF's schema.
import { openStore, type Store, type StoreDatabase } from '@tierscope/store';
import * as schema from './schema.ts';

export type BffSchema = typeof schema;
export type BffDatabase = StoreDatabase<BffSchema>;
export type BffStore = Store<BffSchema>;

/** `postgres://…`, `pglite:memory` or `pglite:<dir>`. */
export function openBffStore(databaseUrl: string): Promise<BffStore> {
  return openStore(databaseUrl, { schema, applicationName: 'tierscope-bff' });
}
