import { setImmediate } from 'node:timers/promises';
import { eq, inArray, sql } from 'drizzle-orm';
import type { Actor, DeviceQuarantine, NewDevice } from '@tierscope/shared';
import type { NodeDatabase } from './client.ts';
import { auditLog, deviceCredentials, deviceQuarantine, devices } from './schema.ts';

type QuarantineRow = typeof deviceQuarantine.$inferSelect;
type NodeTransaction = Parameters<Parameters<NodeDatabase['transaction']>[0]>[0];

/** How an actor is named in the audit log and in `rotated_by` / `by`. */
export function actorName(actor: Actor): string {
  return `${actor.kind}:${actor.name}`;
}

/** Every stored password hash and quarantine, for the node's in-memory copy at start. */
export async function readDeviceAccess(db: NodeDatabase): Promise<{
  credentials: Array<{ deviceId: string; passwordHash: string }>;
  quarantines: Array<{ deviceId: string; quarantine: DeviceQuarantine }>;
}> {
  const credentials = await db
    .select({ deviceId: deviceCredentials.deviceId, passwordHash: deviceCredentials.passwordHash })
    .from(deviceCredentials);
  const quarantines = await db.select().from(deviceQuarantine);
  return {
    credentials,
    quarantines: quarantines.map((row) => ({ deviceId: row.deviceId, quarantine: toQuarantine(row) })),
  };
}

/** The stored quarantines of these devices (lifted ones too: the caller compares `until`). */
export async function readQuarantines(
  db: NodeDatabase,
  deviceIds: readonly string[],
): Promise<Map<string, DeviceQuarantine>> {
  if (deviceIds.length === 0) return new Map();
  const rows = await db
    .select()
    .from(deviceQuarantine)
    .where(inArray(deviceQuarantine.deviceId, [...deviceIds]));
  return new Map(rows.map((row) => [row.deviceId, toQuarantine(row)]));
}

/** Replaces the device's password hash and audits it (never the password or the hash). */
export async function storeDeviceCredentials(
  db: NodeDatabase,
  row: { deviceId: string; username: string; passwordHash: string; createdAt: Date },
  actor: Actor,
): Promise<void> {
  const rotatedBy = actorName(actor);
  await db.transaction(async (tx) => {
    await tx
      .insert(deviceCredentials)
      .values({ ...row, rotatedBy })
      .onConflictDoUpdate({
        target: deviceCredentials.deviceId,
        set: { username: row.username, passwordHash: row.passwordHash, createdAt: row.createdAt, rotatedBy },
      });
    await tx.insert(auditLog).values({
      actor: rotatedBy,
      action: 'device.credentials.rotate',
      target: row.deviceId,
      details: { username: row.username },
    });
  });
}

/** A device to make, with the hash of its new password. */
export interface NewDeviceRow extends NewDevice {
  passwordHash: string;
}

/**
 * Rows per statement when making devices. On PGlite a statement runs on the node's event loop
 * (WASM, in-process): about 0.1 ms per row per statement on an idle host, several times that on a
 * loaded one, so a 500-row batch in one go blocked the loop for 0.4–0.9 s and the node missed its
 * parent's heartbeats (docs/decisions/0032-a-busy-child-is-alive.md).
 */
const NEW_DEVICES_PER_STATEMENT = 50;

/**
 * Makes devices in one transaction: each gets its credentials (hash only), its device row (taking
 * over a device only seen publishing) and an audit entry (never the password or the hash). A device
 * that has credentials already is left as it is. Resolves the ids of the devices made. The rows go
 * in slices with a turn of the event loop between them, so the node answers pings and takes MQTT
 * packets while it stores a large batch.
 */
export async function storeNewDevices(
  db: NodeDatabase,
  rows: readonly NewDeviceRow[],
  createdAt: Date,
  actor: Actor,
): Promise<Set<string>> {
  const made = new Set<string>();
  if (rows.length === 0) return made;
  const by = actorName(actor);
  await db.transaction(async (tx) => {
    for (let start = 0; start < rows.length; start += NEW_DEVICES_PER_STATEMENT) {
      if (start > 0) await setImmediate();
      const slice = rows.slice(start, start + NEW_DEVICES_PER_STATEMENT);
      for (const deviceId of await insertNewDevices(tx, slice, createdAt, by)) made.add(deviceId);
    }
  });
  return made;
}

/** One slice of `storeNewDevices`, in its transaction; resolves the ids it made. */
async function insertNewDevices(
  tx: NodeTransaction,
  rows: readonly NewDeviceRow[],
  createdAt: Date,
  by: string,
): Promise<string[]> {
  // Credentials first: the insert that wins a race for a device id decides who made it.
  const inserted = await tx
    .insert(deviceCredentials)
    .values(
      rows.map((row) => ({
        deviceId: row.deviceId,
        username: row.deviceId,
        passwordHash: row.passwordHash,
        createdAt,
        rotatedBy: by,
      })),
    )
    .onConflictDoNothing()
    .returning({ deviceId: deviceCredentials.deviceId });
  const made = new Set(inserted.map((row) => row.deviceId));
  const fresh = rows.filter((row) => made.has(row.deviceId));
  if (fresh.length === 0) return [];
  await tx
    .insert(devices)
    .values(
      fresh.map(({ deviceId, name, kind, site, labels }) => ({ id: deviceId, name, kind, site, labels })),
    )
    .onConflictDoUpdate({
      target: devices.id,
      set: {
        name: sql`excluded.name`,
        kind: sql`excluded.kind`,
        site: sql`excluded.site`,
        labels: sql`excluded.labels`,
      },
    });
  await tx.insert(auditLog).values(
    fresh.map(({ deviceId, name, kind, site, labels }) => ({
      actor: by,
      action: 'device.create',
      target: deviceId,
      details: { name, kind, site, labels },
    })),
  );
  return [...made];
}

/** Puts the device in quarantine (replacing any it is in) and audits it. */
export async function storeQuarantine(
  db: NodeDatabase,
  deviceId: string,
  quarantine: DeviceQuarantine,
  actor: Actor,
): Promise<void> {
  const values = {
    reason: quarantine.reason,
    until: quarantine.until === null ? null : new Date(quarantine.until),
    by: quarantine.by,
    at: new Date(quarantine.at),
  };
  await db.transaction(async (tx) => {
    await tx
      .insert(deviceQuarantine)
      .values({ deviceId, ...values })
      .onConflictDoUpdate({ target: deviceQuarantine.deviceId, set: values });
    await tx.insert(auditLog).values({
      actor: actorName(actor),
      action: 'device.quarantine',
      target: deviceId,
      details: { reason: quarantine.reason, until: quarantine.until },
    });
  });
}

/** Ends the device's quarantine; audited when there was one. Resolves whether there was. */
export async function deleteQuarantine(db: NodeDatabase, deviceId: string, actor: Actor): Promise<boolean> {
  return db.transaction(async (tx) => {
    const deleted = await tx
      .delete(deviceQuarantine)
      .where(eq(deviceQuarantine.deviceId, deviceId))
      .returning({ reason: deviceQuarantine.reason, until: deviceQuarantine.until });
    const [ended] = deleted;
    if (!ended) return false;
    await tx.insert(auditLog).values({
      actor: actorName(actor),
      action: 'device.release',
      target: deviceId,
      details: { reason: ended.reason, until: ended.until?.getTime() ?? null },
    });
    return true;
  });
}

function toQuarantine(row: QuarantineRow): DeviceQuarantine {
  return { reason: row.reason, until: row.until?.getTime() ?? null, by: row.by, at: row.at.getTime() };
}
