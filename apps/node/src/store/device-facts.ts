import type { NodeStore } from './client.ts';

export interface DeviceFacts {
  id: string;
  labels: Record<string, string>;
  /** epoch ms, or null when never heard */
  lastSeen: number | null;
}

/** What the alert engine needs of every device at start: labels for scopes, last heard for no-data. */
export async function loadDeviceFacts(store: NodeStore): Promise<DeviceFacts[]> {
  const rows = await store.exec<{ id: string; labels: Record<string, string>; last_seen: number | null }>(
    `SELECT id, labels, (extract(epoch from last_seen) * 1000)::float8 AS last_seen FROM devices`,
  );
  return rows.map((row) => ({ id: row.id, labels: row.labels, lastSeen: row.last_seen }));
}
