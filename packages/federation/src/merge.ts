import {
  compareDeviceKeys,
  compareEventKeys,
  deviceKeyOf,
  encodeDeviceCursor,
  encodeEventCursor,
  eventKeyOf,
  type Coverage,
  type Cursor,
  type DeadLetter,
  type Device,
  type DeviceEvent,
  type NodeAnswer,
  type NodeChild,
  type NodeInfo,
} from '@tierscope/shared';
import type { FailedState } from './fan-out.ts';

/**
 * One member's answer as the merge sees it: a page already in this node's output space (paths
 * prefixed), or why the member's data is missing, under the path it has in this node's space.
 */
export type MemberResult<T> =
  | { readonly ok: true; readonly path: string; readonly value: T; readonly latencyMs: number }
  | {
      readonly ok: false;
      readonly path: string;
      readonly state: FailedState;
      readonly latencyMs: number;
      readonly message: string;
    };

export interface Page<T> {
  items: T[];
  nextCursor: Cursor | null;
  coverage: Coverage;
}

// ---------------------------------------------------------------------------------------------
// Paths

/** `district-1/` for a non-root node, `` for the root (which returns children's paths unchanged). */
export function outputPrefix(ownId: string, isRoot: boolean): string {
  return isRoot ? '' : `${ownId}/`;
}

export function prefixItems<T extends { nodePath: string }>(items: readonly T[], prefix: string): T[] {
  return prefix === ''
    ? [...items]
    : items.map((item) => ({ ...item, nodePath: `${prefix}${item.nodePath}` }));
}

export function prefixCoverage(coverage: Coverage, prefix: string): Coverage {
  if (prefix === '') return coverage;
  return { ...coverage, nodes: coverage.nodes.map((n) => ({ ...n, path: `${prefix}${n.path}` })) };
}

export function prefixPage<T extends { nodePath: string }>(page: Page<T>, prefix: string): Page<T> {
  return {
    items: prefixItems(page.items, prefix),
    nextCursor: page.nextCursor,
    coverage: prefixCoverage(page.coverage, prefix),
  };
}

/** Rewrites a node's info tree into the parent's output space. */
export function prefixNodeInfo(info: NodeInfo, prefix: string): NodeInfo {
  if (prefix === '') return info;
  const children = info.children?.map((c) => prefixNodeChild(c, prefix));
  return { ...info, path: `${prefix}${info.path}`, ...(children ? { children } : {}) };
}

function prefixNodeChild(child: NodeChild, prefix: string): NodeChild {
  return { ...child, path: `${prefix}${child.path}`, info: child.info && prefixNodeInfo(child.info, prefix) };
}

// ---------------------------------------------------------------------------------------------
// Coverage and counts

/**
 * Flattens the members' coverage into one block: a member that federates reports its own
 * subtree (already prefixed), a failed member counts as one node asked and not answered.
 */
export function mergeCoverage(results: readonly MemberResult<{ coverage: Coverage }>[]): Coverage {
  let asked = 0;
  let answered = 0;
  const nodes: NodeAnswer[] = [];
  for (const result of results) {
    if (result.ok) {
      asked += result.value.coverage.asked;
      answered += result.value.coverage.answered;
      nodes.push(...result.value.coverage.nodes);
    } else {
      asked += 1;
      nodes.push({
        path: result.path,
        state: result.state,
        latencyMs: Math.max(0, result.latencyMs),
        message: result.message,
      });
    }
  }
  return { asked, answered, nodes };
}

/** A sum over the members that answered; `lowerBound` when one did not. */
export function sumCounts<T>(
  results: readonly MemberResult<T>[],
  count: (value: T) => number,
): { total: number; lowerBound: boolean } {
  let total = 0;
  let lowerBound = false;
  for (const result of results) {
    if (result.ok) total += count(result.value);
    else lowerBound = true;
  }
  return { total, lowerBound };
}

// ---------------------------------------------------------------------------------------------
// Pages

/**
 * Merges sorted pages into the first `limit` items of the global order (k-way merge). Each
 * member was asked for `limit` items after the same global position, so the result is exact.
 * `nextCursor` is the last taken item's position, or null when every member said it had no more
 * and nothing was left over. A member that failed is missing from this page and the ones after
 * it: the coverage says so.
 */
export function mergePages<T>(
  results: readonly MemberResult<Page<T>>[],
  compare: (a: T, b: T) => number,
  cursorOf: (item: T) => Cursor,
  limit: number,
): Page<T> {
  const answered = results.flatMap((r) => (r.ok ? [r.value] : []));
  const lists = answered.map((page) =>
    isSorted(page.items, compare) ? page.items : [...page.items].sort(compare),
  );
  const items = kWayMerge(lists, compare, limit + 1);
  const leftOver = items.length > limit;
  if (leftOver) items.length = limit;
  const moreInMembers = answered.some((page) => page.nextCursor !== null);
  const last = items[items.length - 1];
  const nextCursor = (leftOver || moreInMembers) && last !== undefined ? cursorOf(last) : null;
  return { items, nextCursor, coverage: mergeCoverage(results) };
}

const byDeviceKey = (a: Device, b: Device) => compareDeviceKeys(deviceKeyOf(a), deviceKeyOf(b));
const byEventKey = (a: DeviceEvent, b: DeviceEvent) => compareEventKeys(eventKeyOf(a), eventKeyOf(b));
const deadLetterKey = (d: DeadLetter) => ({ ts: d.receivedAt, path: d.nodePath, id: d.id });
const byDeadLetterKey = (a: DeadLetter, b: DeadLetter) =>
  compareEventKeys(deadLetterKey(a), deadLetterKey(b));

/** devices.list: (name, nodePath, id) ascending. */
export function mergeDevicePages(
  results: readonly MemberResult<Page<Device>>[],
  limit: number,
): Page<Device> {
  return mergePages(results, byDeviceKey, (d) => encodeDeviceCursor(deviceKeyOf(d)), limit);
}

/** events.search: global top-N, newest first, then nodePath, then id. */
export function mergeEventPages(
  results: readonly MemberResult<Page<DeviceEvent>>[],
  limit: number,
): Page<DeviceEvent> {
  return mergePages(results, byEventKey, (e) => encodeEventCursor(eventKeyOf(e)), limit);
}

/** deadLetters.list: newest first by receivedAt, then nodePath, then id (the events order). */
export function mergeDeadLetterPages(
  results: readonly MemberResult<Page<DeadLetter>>[],
  limit: number,
): Page<DeadLetter> {
  return mergePages(results, byDeadLetterKey, (d) => encodeEventCursor(deadLetterKey(d)), limit);
}

function isSorted<T>(items: readonly T[], compare: (a: T, b: T) => number): boolean {
  for (let i = 1; i < items.length; i++) if (compare(items[i - 1]!, items[i]!) > 0) return false;
  return true;
}

/** The first `limit` items of several sorted lists, by a binary heap of list heads. */
export function kWayMerge<T>(
  lists: readonly (readonly T[])[],
  compare: (a: T, b: T) => number,
  limit: number,
): T[] {
  const heads: { list: readonly T[]; index: number }[] = lists
    .filter((l) => l.length > 0)
    .map((list) => ({ list, index: 0 }));
  const less = (a: { list: readonly T[]; index: number }, b: { list: readonly T[]; index: number }) =>
    compare(a.list[a.index]!, b.list[b.index]!) < 0;
  const siftDown = (start: number) => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heads.length && less(heads[l]!, heads[m]!)) m = l;
      if (r < heads.length && less(heads[r]!, heads[m]!)) m = r;
      if (m === i) return;
      [heads[i], heads[m]] = [heads[m]!, heads[i]!];
      i = m;
    }
  };
  for (let i = Math.floor(heads.length / 2) - 1; i >= 0; i--) siftDown(i);
  const out: T[] = [];
  while (out.length < limit && heads.length > 0) {
    const top = heads[0]!;
    out.push(top.list[top.index]!);
    top.index += 1;
    if (top.index >= top.list.length) {
      heads[0] = heads[heads.length - 1]!;
      heads.pop();
    }
    siftDown(0);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Node info

/**
 * A federating node's info: its own (or a synthesized base) with the children tree, and device
 * counts summed over itself and the children that are up; `lowerBound` when any is not.
 */
export function mergeNodeInfo(base: NodeInfo, children: readonly NodeChild[]): NodeInfo {
  let total = base.devices.total;
  let online = base.devices.online;
  let lowerBound = base.devices.lowerBound ?? false;
  for (const child of children) {
    if (child.state === 'up' && child.info) {
      total += child.info.devices.total;
      online += child.info.devices.online;
      lowerBound ||= child.info.devices.lowerBound ?? false;
    } else {
      lowerBound = true;
    }
  }
  return { ...base, devices: { total, online, lowerBound }, children: [...children] };
}
