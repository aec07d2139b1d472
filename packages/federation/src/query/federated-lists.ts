import { z } from 'zod';
import {
  AlertPage,
  ConfigListItem,
  DeadLetter,
  Device,
  DeviceEvent,
  Coverage,
  Cursor,
  alertKeyOf,
  compareDeviceKeys,
  compareEventKeys,
  decodeDeviceCursor,
  decodeEventCursor,
  deviceKeyOf,
  devicePositionForChild,
  devicePositionForOwnItems,
  encodeDeviceCursor,
  encodeEventCursor,
  eventKeyOf,
  eventPositionForChild,
  eventPositionForOwnItems,
  type Alert,
  type DeviceKey,
  type DevicePosition,
  type EventKey,
  type EventPosition,
} from '@tierscope/shared';
import { deadLetterKeyOf, mergeCheckedPages, type MemberResult, type Page } from './merge.ts';

/**
 * A list's global order over its keys, and how a cursor's position reads to each member: a child
 * sees paths without this tier's prefix, the node's own items are all at its own path.
 */
export interface ListOrder<K, P> {
  compare(a: K, b: K): number;
  encode(position: K | P): Cursor;
  decode(cursor: Cursor): P;
  forChild(position: P, childPath: string, prefix: string): P;
  forOwn(position: P, ownPath: string): P;
  /** The position just after `key`: where a member's second round continues. */
  after(key: K): P;
}

const deviceOrder: ListOrder<DeviceKey, DevicePosition> = {
  compare: compareDeviceKeys,
  encode: encodeDeviceCursor,
  decode: decodeDeviceCursor,
  forChild: devicePositionForChild,
  forOwn: devicePositionForOwnItems,
  after: (key) => ({ kind: 'after', ...key }),
};

/** Newest first, then node path, then id: events, dead letters and alerts (by their sort value). */
const eventOrder: ListOrder<EventKey, EventPosition> = {
  compare: compareEventKeys,
  encode: encodeEventCursor,
  decode: decodeEventCursor,
  forChild: eventPositionForChild,
  forOwn: eventPositionForOwnItems,
  after: (key) => ({ kind: 'after', ...key }),
};

/**
 * One federated list: which procedure each member is asked, what of a member's page is checked on
 * arrival (the order fields; the merge checks the items it takes), the order, and the merge.
 */
export interface ListRule<I extends { nodePath: string }, T extends I, K, P> {
  procedure: string;
  /** A member's page as it arrives, its items `I` checked for their order fields. */
  page: { parse(value: unknown): Page<I> };
  keyOf(item: I): K;
  order: ListOrder<K, P>;
  /** An item as the merge takes it, checked in full: throws when it breaks the contract. */
  check(item: I): T;
}

/**
 * Merges the members' pages of one list into the first `limit` items of its global order, each
 * taken item checked by the rule (`mergeCheckedPages`); the cursor is the last taken item's key.
 */
export function mergeListPages<I extends { nodePath: string }, T extends I, K, P>(
  rule: ListRule<I, T, K, P>,
  results: readonly MemberResult<Page<I>>[],
  limit: number,
): Page<T> {
  const { order } = rule;
  const keyOf = (item: I) => rule.keyOf(item);
  return mergeCheckedPages(
    results,
    (a, b) => order.compare(keyOf(a), keyOf(b)),
    (item: T) => order.encode(keyOf(item)),
    limit,
    (item) => rule.check(item),
  );
}

/** A page as a parent first reads it: the envelope in full, each item only for its order fields. */
function listedPageOf<S extends z.ZodRawShape>(orderFields: S) {
  return z.object({
    items: z.array(z.looseObject(orderFields)),
    nextCursor: Cursor.nullable(),
    coverage: Coverage,
  });
}

const deviceRule = {
  procedure: 'devices.list',
  page: listedPageOf({ name: z.string(), nodePath: z.string(), id: z.string() }),
  keyOf: deviceKeyOf,
  order: deviceOrder,
  check: (item: unknown) => Device.parse(item),
};
const eventRule = {
  procedure: 'events.search',
  page: listedPageOf({ ts: z.number(), nodePath: z.string(), id: z.string() }),
  keyOf: eventKeyOf,
  order: eventOrder,
  check: (item: unknown) => DeviceEvent.parse(item),
};
const deadLetterRule = {
  procedure: 'deadLetters.list',
  page: listedPageOf({ receivedAt: z.number(), nodePath: z.string(), id: z.string() }),
  keyOf: deadLetterKeyOf,
  order: eventOrder,
  check: (item: unknown) => DeadLetter.parse(item),
};
/** Configured devices, in devices.list order (name, node path, id). */
const configRule = {
  procedure: 'devices.configs',
  page: listedPageOf({ name: z.string(), nodePath: z.string(), id: z.string() }),
  keyOf: deviceKeyOf,
  order: deviceOrder,
  check: (item: unknown) => ConfigListItem.parse(item),
};
/** Alerts are few per page and checked in full on arrival. */
const alertRule: ListRule<Alert, Alert, EventKey, EventPosition> = {
  procedure: 'alerts.list',
  page: AlertPage,
  keyOf: alertKeyOf,
  order: eventOrder,
  check: (alert) => alert,
};

/** Every list that fans out with a cursor across tiers, by the service method it answers. */
export const listRules = {
  devices: deviceRule,
  configs: configRule,
  events: eventRule,
  deadLetters: deadLetterRule,
  alerts: alertRule,
};
