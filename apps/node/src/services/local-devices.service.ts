import { and, eq, inArray, sql } from 'drizzle-orm';
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
  type ListDevicesInput,
} from '@tierscope/shared';
import { hashDevicePassword, newDevicePassword } from '../access/device-password.ts';
import { quarantineInForce } from '../access/quarantine-list.ts';
import type { NodeDatabase } from '../store/client.ts';
import {
  actorName,
  deleteQuarantine,
  readQuarantines,
  storeDeviceCredentials,
  storeQuarantine,
} from '../store/device-access.pg.ts';
import { auditLog, devices, latestValues } from '../store/schema.ts';
import { createLocalDeviceProvisioning } from './local-device-provisioning.ts';
import type { LocalNodeServiceDeps } from './local-node.types.ts';
import { byCodePoint, epochMs, SqlParams, whereAll } from './order-sql.ts';
import { cutPage, elapsedSince, likePattern } from './paging.ts';
import { emptyOwnPage, pathSelects } from './path-scoped.ts';

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
function afterPosition(position: DevicePosition, params: SqlParams): string {
  const name = params.add(position.name);
  if (position.kind === 'after')
    return `(d.name collate "C", d.id collate "C") > (${name}, ${params.add(position.id)})`;
  return position.inclusive ? `d.name collate "C" >= ${name}` : `d.name collate "C" > ${name}`;
}

/** A devices.list row: the device with its latest values and its stored quarantine, if any. */
type DeviceListRow = {
  id: string;
  name: string;
  kind: string;
  site: string;
  labels: Record<string, string>;
  status: Device['status'];
  expectedIntervalMs: number;
  firstSeen: number;
  lastSeen: number | null;
  latest: Record<string, LatestValue>;
  quarantineReason: string | null;
  quarantineUntil: number | null;
  quarantineBy: string | null;
  quarantineAt: number | null;
};

/**
 * devices.list as one statement: the page of devices (`limit + 1` rows, the extra one only proving
 * there is a next page) with each one's latest values and quarantine, in one round trip.
 */
function listStatement(input: ListDevicesInput, nodePath: string): { text: string; params: unknown[] } {
  const params = new SqlParams();
  const where: string[] = [];
  if (input.search) {
    const pattern = params.add(likePattern(input.search));
    where.push(
      `(d.id ilike ${pattern} or d.name ilike ${pattern}` +
        ` or exists (select 1 from jsonb_each_text(d.labels) as l(k, v) where l.v ilike ${pattern}))`,
    );
  }
  if (input.status) where.push(`d.status = ${params.add(input.status)}`);
  if (input.site !== undefined) where.push(`d.site = ${params.add(input.site)}`);
  if (input.label) {
    const at = input.label.indexOf('=');
    const label = { [input.label.slice(0, at)]: input.label.slice(at + 1) };
    where.push(`d.labels @> ${params.add(JSON.stringify(label))}::jsonb`);
  }
  if (input.cursor) {
    where.push(afterPosition(devicePositionForOwnItems(decodeDeviceCursor(input.cursor), nodePath), params));
  }
  const order = `${byCodePoint('d.name')}, ${byCodePoint('d.id')}`;
  const text = `select d.id, d.name, d.kind, d.site, d.labels, d.status, d.expected_interval_ms as "expectedIntervalMs",
      ${epochMs('d.first_seen')} as "firstSeen", ${epochMs('d.last_seen')} as "lastSeen",
      coalesce(v.latest, '{}'::json) as latest,
      q.reason as "quarantineReason", ${epochMs('q.until')} as "quarantineUntil",
      q.by as "quarantineBy", ${epochMs('q.at')} as "quarantineAt"
    from (select d.id, d.name, d.kind, d.site, d.labels, d.status, d.expected_interval_ms, d.first_seen, d.last_seen from devices d
      ${whereAll(where)} order by ${order} limit ${params.add(input.limit + 1)}) d
    left join lateral (
      select json_object_agg(l.metric, json_build_object('value', l.value, 'ts', ${epochMs('l.ts')})) as latest
      from latest_values l where l.device_id = d.id
    ) v on true
    left join device_quarantine q on q.device_id = d.id
    order by ${order}`;
  return { text, params: params.values };
}

function quarantineOf(row: DeviceListRow): DeviceQuarantine | undefined {
  if (row.quarantineReason === null || row.quarantineBy === null || row.quarantineAt === null)
    return undefined;
  return {
    reason: row.quarantineReason,
    until: row.quarantineUntil,
    by: row.quarantineBy,
    at: row.quarantineAt,
  };
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
    expectedIntervalMs: row.expectedIntervalMs,
    firstSeen: row.firstSeen.getTime(),
    lastSeen: row.lastSeen?.getTime() ?? null,
    latest,
    ...(quarantine && quarantineInForce(quarantine, now()) && { quarantine }),
  });

  const listedDevice = (row: DeviceListRow, at: number): Device => {
    const quarantine = quarantineOf(row);
    return {
      id: row.id,
      nodePath: deps.nodePath,
      name: row.name,
      kind: row.kind,
      site: row.site,
      labels: row.labels,
      status: row.status,
      expectedIntervalMs: row.expectedIntervalMs,
      firstSeen: row.firstSeen,
      lastSeen: row.lastSeen,
      latest: row.latest,
      ...(quarantine && quarantineInForce(quarantine, at) && { quarantine }),
    };
  };

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
    ...createLocalDeviceProvisioning(deps),

    async list(input) {
      if (!pathSelects(input.nodePath, deps.nodePath)) return emptyOwnPage(deps.nodePath);
      const started = performance.now();
      const { text, params } = listStatement(input, deps.nodePath);
      const rows = await deps.store.execPrepared<DeviceListRow>(text, params);
      const at = now();
      const page = cutPage(
        rows,
        input.limit,
        (row) => listedDevice(row, at),
        (device) => encodeDeviceCursor(deviceKeyOf(device)),
      );
      return { ...page, coverage: selfCoverage(deps.nodePath, elapsedSince(started)) };
    },

    async count(input) {
      const started = performance.now();
      const byStatus = { online: 0, offline: 0, unknown: 0 };
      if (!pathSelects(input.nodePath, deps.nodePath))
        return { total: 0, byStatus, coverage: selfCoverage(deps.nodePath, 0) };
      const at = input.label?.indexOf('=') ?? -1;
      const label = input.label && { [input.label.slice(0, at)]: input.label.slice(at + 1) };
      const rows = await db
        .select({ status: devices.status, count: sql<number>`count(*)`.mapWith(Number) })
        .from(devices)
        .where(
          and(
            input.kind === undefined ? undefined : eq(devices.kind, input.kind),
            input.site === undefined ? undefined : eq(devices.site, input.site),
            input.status === undefined ? undefined : eq(devices.status, input.status),
            label ? sql`${devices.labels} @> ${JSON.stringify(label)}::jsonb` : undefined,
          ),
        )
        .groupBy(devices.status);
      for (const row of rows) byStatus[row.status] = row.count;
      const total = rows.reduce((sum, row) => sum + row.count, 0);
      return { total, byStatus, coverage: selfCoverage(deps.nodePath, elapsedSince(started)) };
    },

    get,

    async upsert(input, actor) {
      assertOwnPath(input, deps.nodePath);
      const changes = {
        ...(input.name !== undefined && { name: input.name }),
        ...(input.kind !== undefined && { kind: input.kind }),
        ...(input.site !== undefined && { site: input.site }),
        ...(input.labels !== undefined && { labels: input.labels }),
        ...(input.expectedIntervalMs !== undefined && { expectedIntervalMs: input.expectedIntervalMs }),
      };
      await db.transaction(async (tx) => {
        const insert = tx.insert(devices).values({ id: input.deviceId, name: input.deviceId, ...changes });
        await (Object.keys(changes).length > 0
          ? insert.onConflictDoUpdate({ target: devices.id, set: changes })
          : insert.onConflictDoNothing());
        await tx.insert(auditLog).values({
          actor: actorName(actor),
          action: 'device.upsert',
          target: input.deviceId,
          details: changes,
        });
      });
      const device = await get({ deviceId: input.deviceId });
      deps.onDeviceRegistered?.(device);
      return device;
    },

    async rotateCredentials(input, actor) {
      assertOwnPath(input, deps.nodePath);
      const password = newDevicePassword();
      const passwordHash = hashDevicePassword(password);
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

    command: (input, actor) => deps.commands.send(input, actor),
    commandMany: (input, actor) => deps.commands.sendMany(input, actor),
    commandJob: (input) => deps.commands.job(input),
    commandCatalog: (input) => Promise.resolve(deps.commands.catalog(input)),
    commands: (input) => deps.commands.history(input),
    watchCommands: (input, signal) => deps.commands.watch(input, input.lastEventId, signal),
    setConfig: (input, actor) => deps.configs.set(input, actor),
    config: (ref) => deps.configs.get(ref),
    configs: (input) => deps.configs.list(input),
    configCounts: (input) => deps.configs.counts(input),
  };
}
