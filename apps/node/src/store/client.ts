// The node's database: the shared store (packages/store) opened with the node's schema.
import { openStore, type Store, type StoreDatabase } from '@tierscope/store';
import * as schema from './schema.ts';

export type { RawExecutor, Row } from '@tierscope/store';
export type NodeSchema = typeof schema;
export type NodeDatabase = StoreDatabase<NodeSchema>;
export type NodeStore = Store<NodeSchema>;

/** `postgres://…`, `pglite:memory` or `pglite:<dir>`. */
export function openNodeStore(databaseUrl: string): Promise<NodeStore> {
  return openStore(databaseUrl, { schema, applicationName: 'tierscope-node' });
}
