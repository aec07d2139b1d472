import { and, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import {
  BadRequestError,
  decodeDeviceCursor,
  deviceKeyOf,
  devicePositionForOwnItems,
  encodeDeviceCursor,
  NotFoundError,
  selfCoverage,
  type Device,
  type DevicePosition,
  type DeviceQuarantine,
  type DeviceRef,
  type DevicesService,
  type LatestValue,
} from '@tierscope/shared';
import { hashDevicePassword, newDevicePassword } from '../access/device-password.ts';
import { quarantineInForce } from '../access/quarantine-list.ts';
import type { NodeDatabase } from '../store/client.ts';
import {
  deleteQuarantine,
  readQuarantines,
  storeDeviceCredentials,
  storeQuarantine,
} from '../store/device-access.pg.ts';
import { auditLog, devices, latestValues } from '../store/schema.ts';
import type { LocalNodeServiceDeps } from './local-node.types.ts';
import { byCodePoint } from './order-sql.ts';
import { cutPage, elapsedSince, likePattern } from './paging.ts';

type DeviceRow = typeof devices.$inferSelect;

/** Throws NotFoundError when a ref names another node: this node only answers for itself. */
export function assertOwnPath(ref: { nodePath?: string | undefined }, nodePath: string): void {
  if (ref.nodePath !== undefined && ref.nodePath !== nodePath) {
    throw new NotFoundError(`node path ${ref.nodePath} is not this node (${nodePath})`);
  }
}

/** Latest value per metric for each device id given. */
export async function latestByDevice(
  db: NodeDatabase,
  ids: readonly string[],
): Promise<Map<string, Record<string, LatestValue>>> {
  const byDevice = new Map<string, Record<string, LatestValue>>();
  if (ids.length === 0) return byDevice;
  const rows = await db
    .select()
    .from(latestValues)
    .where(inArray(latestValues.deviceId, [...ids]));
  for (const row of rows) {
    const values = byDevice.get(row.deviceId) ?? {};
    values[row.metric] = { value: row.value, ts: row.ts.getTime() };
    byDevice.set(row.deviceId, values);
  }
  return byDevice;
}

/**
 * The rows of this node that come after a global devices.list position (order-keys.ts), compared
 * as COLLATE "C" does, so the SQL order is the order every tier merges in.
 */
function afterPosition(position: DevicePosition): SQL {
  if (position.kind === 'after')
    return sql`(${devices.name} collate "C", ${devices.id} collate "C") > (${position.name}, ${position.id})`;
  return position.inclusive
    ? sql`${devices.name} collate "C" >= ${position.name}`
    : sql`${devices.name} collate "C" > ${position.name}`;
}

/** devices.list in the global order: name, then id (one node path), both compared as COLLATE "C". */
export function createLocalDevicesService(deps: LocalNodeServiceDeps): DevicesService {
  const { db } = deps.store;
  const now = deps.now ?? Date.now;
  const toDevice = (
    row: DeviceRow,
    latest: Record<string, LatestValue> = {},
    quarantine?: DeviceQuarantine,
  ): Device => ({
    id: row.id,
    nodePath: deps.nodePath,
    name: row.name,
    kind: row.kind,
    site: row.site,
    labels: row.labels,
    status: row.status,
    firstSeen: row.firstSeen.getTime(),
    lastSeen: row.lastSeen?.getTime() ?? null,
    latest,
    ...(quarantine && quarantineInForce(quarantine, now()) && { quarantine }),
  });

  async function get(ref: DeviceRef): Promise<Device> {
    assertOwnPath(ref, deps.nodePath);
    const [row] = await db.select().from(devices).where(eq(devices.id, ref.deviceId));
    if (!row) throw new NotFoundError(`no device ${ref.deviceId} on ${deps.nodePath}`);
    const [latest, quarantines] = await Promise.all([
      latestByDevice(db, [row.id]),
      readQuarantines(db, [row.id]),
    ]);
    return toDevice(row, latest.get(row.id), quarantines.get(row.id));
  }

  return {
    async list(input) {
      const started = performance.now();
      const where: SQL[] = [];
      if (input.search) {
        const pattern = likePattern(input.search);
        where.push(
          or(
            sql`${devices.id} ilike ${pattern}`,
            sql`${devices.name} ilike ${pattern}`,
            sql`exists (select 1 from jsonb_each_text(${devices.labels}) as l(k, v) where l.v ilike ${pattern})`,
          )!,
        );
      }
      if (input.status) where.push(eq(devices.status, input.status));
      if (input.site !== undefined) where.push(eq(devices.site, input.site));
      if (input.label) {
        const at = input.label.indexOf('=');
        const label = { [input.label.slice(0, at)]: input.label.slice(at + 1) };
        where.push(sql`${devices.labels} @> ${JSON.stringify(label)}::jsonb`);
      }
      if (input.cursor) {
        where.push(afterPosition(devicePositionForOwnItems(decodeDeviceCursor(input.cursor), deps.nodePath)));
      }
      const rows = await db
        .select()
        .from(devices)
        .where(and(...where))
        .orderBy(byCodePoint(devices.name), byCodePoint(devices.id))
        .limit(input.limit + 1);
      const ids = rows.slice(0, input.limit).map((row) => row.id);
      const [latest, quarantines] = await Promise.all([latestByDevice(db, ids), readQuarantines(db, ids)]);
      const page = cutPage(
        rows,
        input.limit,
        (row) => toDevice(row, latest.get(row.id), quarantines.get(row.id)),
        (device) => encodeDeviceCursor(deviceKeyOf(device)),
      );
      return { ...page, coverage: selfCoverage(deps.nodePath, elapsedSince(started)) };
    },

    get,

    async upsert(input) {
      assertOwnPath(input, deps.nodePath);
      const changes = {
        ...(input.name !== undefined && { name: input.name }),
        ...(input.kind !== undefined && { kind: input.kind }),
        ...(input.site !== undefined && { site: input.site }),
        ...(input.labels !== undefined && { labels: input.labels }),
      };
      await db.transaction(async (tx) => {
        const insert = tx.insert(devices).values({ id: input.deviceId, name: input.deviceId, ...changes });
        await (Object.keys(changes).length > 0
          ? insert.onConflictDoUpdate({ target: devices.id, set: changes })
          : insert.onConflictDoNothing());
        // The service interface carries no caller; the router-level actor is not visible here.
        await tx
          .insert(auditLog)
          .values({ actor: 'api', action: 'device.upsert', target: input.deviceId, details: changes });
      });
      const device = await get({ deviceId: input.deviceId });
      deps.onDeviceRegistered?.(device);
      return device;
    },

    async rotateCredentials(input, actor) {
      assertOwnPath(input, deps.nodePath);
      const password = newDevicePassword();
      const passwordHash = await hashDevicePassword(password);
      const createdAt = new Date(now());
      const username = input.deviceId;
      await storeDeviceCredentials(
        db,
        { deviceId: input.deviceId, username, passwordHash, createdAt },
        actor,
      );
      deps.deviceAccess?.authenticator.setPasswordHash(input.deviceId, passwordHash);
      return {
        deviceId: input.deviceId,
        nodePath: deps.nodePath,
        username,
        password,
        createdAt: createdAt.getTime(),
      };
    },

    async quarantine(input, actor) {
      await get(input);
      const at = now();
      if (input.until !== undefined && input.until <= at)
        throw new BadRequestError(`until (${new Date(input.until).toISOString()}) is not in the future`);
      const quarantine: DeviceQuarantine = {
        reason: input.reason,
        until: input.until ?? null,
        by: actor.name,
        at,
      };
      await storeQuarantine(db, input.deviceId, quarantine, actor);
      deps.deviceAccess?.quarantines.set(input.deviceId, quarantine);
      return get(input);
    },

    async release(input, actor) {
      await get(input);
      await deleteQuarantine(db, input.deviceId, actor);
      deps.deviceAccess?.quarantines.remove(input.deviceId);
      return get(input);
    },
  };
}
