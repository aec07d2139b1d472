import { z } from 'zod';
import { decodeCursor, encodeCursor } from '../cursor-codec.ts';
import { DeviceId, NodePath } from '../domain/ids.ts';
import type { Cursor } from '../domain/page.ts';
import { alertSortValue, compareCodePoints, comparePaths } from '../domain/order.ts';
import type { Severity } from '../domain/severity.ts';

// The pure comparators sit in the browser-safe entry (./order); the server's entry keeps them here.
export { alertSortValue, compareAlerts, compareCodePoints, comparePaths } from '../domain/order.ts';

/*
 * Keyset orders shared by every tier. A cursor is a position in the GLOBAL order of the node that
 * returned it, never a per-child bookmark: every child's position is derived from the last key a
 * parent emitted, so paging across children is exact and stateless.
 *
 * Strings (names, ids) compare by Unicode code point, as PostgreSQL's COLLATE "C" does on UTF-8.
 * Node paths compare segment by segment (equivalently: "/" sorts below every id character), so a
 * subtree's paths are contiguous: `a` < `a/x` < `a-b`, where a plain string compare would put
 * `a-b` between `a` and `a/x`. A leaf holds one path only, so its SQL never compares paths.
 */

/**
 * Where the items of a subtree sit, for one sort value, relative to a key whose path is
 * `keyPath`: `inside` when the key's path is in the subtree (the child must compare the whole
 * key); otherwise every such item comes `after` or `before` the key, decided by paths alone.
 */
export type SubtreeRelation = 'inside' | 'after' | 'before';

/** The relation for a child's subtree: the child's own path and everything beneath it. */
export function relateSubtree(keyPath: string, subtreePath: string): SubtreeRelation {
  if (keyPath === subtreePath || keyPath.startsWith(`${subtreePath}/`)) return 'inside';
  return comparePaths(subtreePath, keyPath) > 0 ? 'after' : 'before';
}

/** The relation for a node's own items, which all carry exactly `ownPath`. */
export function relateOwnPath(keyPath: string, ownPath: string): SubtreeRelation {
  if (keyPath === ownPath) return 'inside';
  return comparePaths(ownPath, keyPath) > 0 ? 'after' : 'before';
}

/** Removes a parent's output prefix (`district-1/`, or `` at the root) from a path. */
export function stripPathPrefix(path: string, prefix: string): string {
  return prefix !== '' && path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

// ---------------------------------------------------------------------------------------------
// devices.list: (name, nodePath, id) ascending.

export const DeviceKey = z.object({ name: z.string().max(200), path: NodePath, id: DeviceId });
export type DeviceKey = z.infer<typeof DeviceKey>;

/**
 * Where a devices.list page starts. `after`: strictly after the key. `bound`: every item whose
 * name is greater than `name` (or equal, when `inclusive`) — what a parent forwards to a child
 * whose subtree does not contain the key's path.
 */
export const DevicePosition = z.discriminatedUnion('kind', [
  DeviceKey.extend({ kind: z.literal('after') }),
  z.object({ kind: z.literal('bound'), name: z.string().max(200), inclusive: z.boolean() }),
]);
export type DevicePosition = z.infer<typeof DevicePosition>;

export function deviceKeyOf(device: { name: string; nodePath: string; id: string }): DeviceKey {
  return { name: device.name, path: device.nodePath, id: device.id };
}

export function compareDeviceKeys(a: DeviceKey, b: DeviceKey): number {
  return compareCodePoints(a.name, b.name) || comparePaths(a.path, b.path) || compareCodePoints(a.id, b.id);
}

/** The cursor a page returns: continue strictly after this key. */
export function encodeDeviceCursor(position: DeviceKey | DevicePosition): Cursor {
  return encodeCursor('kind' in position ? position : { kind: 'after', ...position });
}

/** Throws InvalidCursorError (a BAD_REQUEST) for a cursor that is not a devices.list position. */
export function decodeDeviceCursor(cursor: Cursor): DevicePosition {
  return decodeCursor(cursor, DevicePosition);
}

/**
 * The position to forward to one child. `subtreePath` is the child's path in the parent's output
 * space (`prefix + childId`); `prefix` is stripped from a key that falls inside the child.
 */
export function devicePositionForChild(
  position: DevicePosition,
  subtreePath: string,
  prefix: string,
): DevicePosition {
  if (position.kind === 'bound') return position;
  return narrowDevicePosition(position, relateSubtree(position.path, subtreePath), prefix);
}

/**
 * What a node's own rows (all with path `ownPath`) must satisfy to come after `position`:
 * `after` → (name, id) > (position.name, position.id); `bound` → name > / >= position.name.
 * This is the same rule a parent applies to a child, with the subtree being the node itself.
 */
export function devicePositionForOwnItems(position: DevicePosition, ownPath: string): DevicePosition {
  if (position.kind === 'bound') return position;
  return narrowDevicePosition(position, relateOwnPath(position.path, ownPath), '');
}

function narrowDevicePosition(
  position: Extract<DevicePosition, { kind: 'after' }>,
  relation: SubtreeRelation,
  prefix: string,
): DevicePosition {
  if (relation === 'inside') return { ...position, path: stripPathPrefix(position.path, prefix) };
  return { kind: 'bound', name: position.name, inclusive: relation === 'after' };
}

/** True when an item with `key` belongs on a page that starts at `position`. */
export function isAfterDevicePosition(key: DeviceKey, position: DevicePosition | undefined): boolean {
  if (!position) return true;
  const byName = compareCodePoints(key.name, position.name);
  if (position.kind === 'bound') return byName > 0 || (byName === 0 && position.inclusive);
  return compareDeviceKeys(key, position) > 0;
}

// ---------------------------------------------------------------------------------------------
// events.search: (ts descending, nodePath ascending, id ascending). Dead letters use the same
// shape with `ts` = receivedAt.

/**
 * `ts` is an event time, or for alerts a sort value that puts severity above time (alertSortValue,
 * below 3 × 2^44, which is still a valid Date for the events' SQL).
 */
const OrderValue = z
  .number()
  .int()
  .min(0)
  .max(3 * 2 ** 44);

export const EventKey = z.object({ ts: OrderValue, path: NodePath, id: z.string().max(300) });
export type EventKey = z.infer<typeof EventKey>;

/**
 * Where an events.search page starts. `after`: strictly after the key. `bound`: every item
 * older than `ts` (or exactly as old, when `inclusive`).
 */
export const EventPosition = z.discriminatedUnion('kind', [
  EventKey.extend({ kind: z.literal('after') }),
  z.object({ kind: z.literal('bound'), ts: OrderValue, inclusive: z.boolean() }),
]);
export type EventPosition = z.infer<typeof EventPosition>;

export function eventKeyOf(event: { ts: number; nodePath: string; id: string }): EventKey {
  return { ts: event.ts, path: event.nodePath, id: event.id };
}

/** Newest first, then node path, then id. */
export function compareEventKeys(a: EventKey, b: EventKey): number {
  return b.ts - a.ts || comparePaths(a.path, b.path) || compareCodePoints(a.id, b.id);
}

export function encodeEventCursor(position: EventKey | EventPosition): Cursor {
  return encodeCursor('kind' in position ? position : { kind: 'after', ...position });
}

/** Throws InvalidCursorError (a BAD_REQUEST) for a cursor that is not an events position. */
export function decodeEventCursor(cursor: Cursor): EventPosition {
  return decodeCursor(cursor, EventPosition);
}

/** As devicePositionForChild, for the events order. */
export function eventPositionForChild(
  position: EventPosition,
  subtreePath: string,
  prefix: string,
): EventPosition {
  if (position.kind === 'bound') return position;
  return narrowEventPosition(position, relateSubtree(position.path, subtreePath), prefix);
}

/**
 * As devicePositionForOwnItems: `after` → ts < position.ts, or ts = position.ts and id > position.id;
 * `bound` → ts < position.ts (or <=, when inclusive).
 */
export function eventPositionForOwnItems(position: EventPosition, ownPath: string): EventPosition {
  if (position.kind === 'bound') return position;
  return narrowEventPosition(position, relateOwnPath(position.path, ownPath), '');
}

function narrowEventPosition(
  position: Extract<EventPosition, { kind: 'after' }>,
  relation: SubtreeRelation,
  prefix: string,
): EventPosition {
  if (relation === 'inside') return { ...position, path: stripPathPrefix(position.path, prefix) };
  return { kind: 'bound', ts: position.ts, inclusive: relation === 'after' };
}

export function isAfterEventPosition(key: EventKey, position: EventPosition | undefined): boolean {
  if (!position) return true;
  if (position.kind === 'bound')
    return key.ts < position.ts || (key.ts === position.ts && position.inclusive);
  return compareEventKeys(key, position) > 0;
}

// ---------------------------------------------------------------------------------------------
// alerts.list: most severe first, then newest start, then node path, then id. That is the events
// order over one number that puts severity above time, so alerts page with the events machinery.

export function alertKeyOf(alert: {
  severity: Severity;
  startedAt: number;
  nodePath: string;
  id: string;
}): EventKey {
  return { ts: alertSortValue(alert), path: alert.nodePath, id: alert.id };
}
