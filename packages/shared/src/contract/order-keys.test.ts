import { describe, expect, it } from 'vitest';
import { InvalidCursorError } from '../cursor-codec.ts';
import {
  compareCodePoints,
  compareDeviceKeys,
  compareEventKeys,
  comparePaths,
  decodeDeviceCursor,
  decodeEventCursor,
  devicePositionForChild,
  devicePositionForOwnItems,
  encodeDeviceCursor,
  encodeEventCursor,
  eventPositionForChild,
  eventPositionForOwnItems,
  isAfterDevicePosition,
  isAfterEventPosition,
  relateSubtree,
  type DeviceKey,
  type DevicePosition,
  type EventKey,
  type EventPosition,
} from './order-keys.ts';

describe('string and path order', () => {
  it('compares names by code point, as COLLATE "C" does, not by UTF-16 unit', () => {
    const astral = '\u{1F600}'; // surrogate pair D83D DE00
    const highBmp = '\uFF21'; // fullwidth A
    expect(compareCodePoints(highBmp, astral)).toBeLessThan(0);
    expect(highBmp < astral).toBe(false); // what a plain JS compare would say
    expect(compareCodePoints('B', 'a')).toBeLessThan(0);
    expect(compareCodePoints('a', 'ab')).toBeLessThan(0);
    expect(compareCodePoints('x', 'x')).toBe(0);
  });

  it('keeps a subtree contiguous: a < a/x < a-b, unlike a plain string compare', () => {
    const sorted = ['a-b', 'a/x', 'a', 'a/x/y', 'a0', 'b'].sort(comparePaths);
    expect(sorted).toEqual(['a', 'a/x', 'a/x/y', 'a-b', 'a0', 'b']);
  });

  it('relates a key to a subtree: inside, or wholly after or before it', () => {
    expect(relateSubtree('d/p', 'd/p')).toBe('inside');
    expect(relateSubtree('d/p/q', 'd/p')).toBe('inside');
    expect(relateSubtree('d/p-1', 'd/p')).toBe('before');
    expect(relateSubtree('d/o', 'd/p')).toBe('after');
    expect(relateSubtree('d', 'd/p')).toBe('after');
  });
});

describe('device positions', () => {
  const key: DeviceKey = { name: 'pump', path: 'd/p', id: 'x7' };

  it('round-trips a key through a cursor as "strictly after"', () => {
    expect(decodeDeviceCursor(encodeDeviceCursor(key))).toEqual({ kind: 'after', ...key });
  });

  it('refuses an events cursor on devices.list with InvalidCursorError', () => {
    const events = encodeEventCursor({ ts: 5, path: 'd', id: '1' });
    expect(() => decodeDeviceCursor(events)).toThrow(InvalidCursorError);
    expect(() => decodeDeviceCursor('not-a-cursor')).toThrow(InvalidCursorError);
  });

  it('forwards the key with the prefix stripped to the child that holds its path', () => {
    expect(devicePositionForChild({ kind: 'after', ...key }, 'd/p', 'd/')).toEqual({
      kind: 'after',
      ...key,
      path: 'p',
    });
  });

  it('forwards "name >= key.name" to a child whose subtree sorts after the key path', () => {
    expect(devicePositionForChild({ kind: 'after', ...key }, 'd/q', 'd/')).toEqual({
      kind: 'bound',
      name: 'pump',
      inclusive: true,
    });
  });

  it('forwards "name > key.name" to a child whose subtree sorts before the key path', () => {
    expect(devicePositionForChild({ kind: 'after', ...key }, 'd/a', 'd/')).toEqual({
      kind: 'bound',
      name: 'pump',
      inclusive: false,
    });
  });

  it('passes a bound through unchanged, so the rule composes down any number of tiers', () => {
    const bound: DevicePosition = { kind: 'bound', name: 'pump', inclusive: true };
    expect(devicePositionForChild(bound, 'd/a', 'd/')).toBe(bound);
  });

  it("treats a node's own items as one path: a key beneath it means its own items come first", () => {
    expect(devicePositionForOwnItems({ kind: 'after', ...key }, 'd')).toEqual({
      kind: 'bound',
      name: 'pump',
      inclusive: false,
    });
    expect(devicePositionForOwnItems({ kind: 'after', ...key }, 'd/p')).toEqual({ kind: 'after', ...key });
  });
});

describe('event positions', () => {
  const key: EventKey = { ts: 1000, path: 'd/p', id: '42' };

  it('orders newest first, then path, then id', () => {
    const keys: EventKey[] = [
      { ts: 1, path: 'a', id: '1' },
      { ts: 2, path: 'b', id: '1' },
      { ts: 2, path: 'a', id: '2' },
      { ts: 2, path: 'a', id: '1' },
    ];
    expect(keys.sort(compareEventKeys)).toEqual([
      { ts: 2, path: 'a', id: '1' },
      { ts: 2, path: 'a', id: '2' },
      { ts: 2, path: 'b', id: '1' },
      { ts: 1, path: 'a', id: '1' },
    ]);
  });

  it('round-trips and narrows like the device order', () => {
    const position = decodeEventCursor(encodeEventCursor(key));
    expect(eventPositionForChild(position, 'd/p', 'd/')).toEqual({ kind: 'after', ...key, path: 'p' });
    expect(eventPositionForChild(position, 'd/z', 'd/')).toEqual({
      kind: 'bound',
      ts: 1000,
      inclusive: true,
    });
    expect(eventPositionForOwnItems(position, 'd')).toEqual({ kind: 'bound', ts: 1000, inclusive: false });
  });

  it('accepts an older event after a bound, and an equally old one only when inclusive', () => {
    expect(
      isAfterEventPosition({ ts: 999, path: 'z', id: '0' }, { kind: 'bound', ts: 1000, inclusive: false }),
    ).toBe(true);
    expect(
      isAfterEventPosition({ ts: 1000, path: 'z', id: '0' }, { kind: 'bound', ts: 1000, inclusive: false }),
    ).toBe(false);
    expect(
      isAfterEventPosition({ ts: 1000, path: 'z', id: '0' }, { kind: 'bound', ts: 1000, inclusive: true }),
    ).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: a tree of nodes, each answering "the first `limit` items after a position" from its
// own items and its children's (through the forwarding rule), pages through the global order
// exactly, whatever the page sizes.

interface TreeNode {
  id: string;
  own: { name: string; id: string; ts: number }[];
  children: TreeNode[];
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Ids that trip a plain string compare of paths ("a-b" sorts between "a" and "a/x").
const NODE_IDS = ['a', 'a-b', 'a0', 'ab', 'b', 'b-1', 'c'];
const NAMES = ['pump', 'Pump', 'valve', 'v', '\u{1F600}', '\uFF21', 'pump-2', ''];

function randomTree(random: () => number, depth: number, id: string): TreeNode {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const leaf = depth === 0 || random() < 0.3;
  const childIds = leaf ? [] : NODE_IDS.filter(() => random() < 0.45);
  const ownCount = leaf || random() < 0.5 ? Math.floor(random() * 12) : 0;
  return {
    id,
    own: Array.from({ length: ownCount }, (_, i) => ({
      name: pick(NAMES),
      id: `x${i}`,
      ts: Math.floor(random() * 5),
    })),
    children: childIds.map((c) => randomTree(random, depth - 1, c)),
  };
}

/** A node's answer in its output space; the root keeps children's paths unchanged. */
function listDevices(
  node: TreeNode,
  isRoot: boolean,
  position: DevicePosition | undefined,
  limit: number,
): DeviceKey[] {
  const prefix = isRoot ? '' : `${node.id}/`;
  const ownPosition = position && devicePositionForOwnItems(position, node.id);
  const own = node.own
    .map((d) => ({ name: d.name, path: node.id, id: d.id }))
    .filter((k) => isAfterDevicePosition(k, ownPosition));
  const fromChildren = node.children.flatMap((child) => {
    const childPosition = position && devicePositionForChild(position, `${prefix}${child.id}`, prefix);
    return listDevices(child, false, childPosition, limit).map((k) => ({ ...k, path: `${prefix}${k.path}` }));
  });
  return [...own, ...fromChildren].sort(compareDeviceKeys).slice(0, limit);
}

function listEvents(
  node: TreeNode,
  isRoot: boolean,
  position: EventPosition | undefined,
  limit: number,
): EventKey[] {
  const prefix = isRoot ? '' : `${node.id}/`;
  const ownPosition = position && eventPositionForOwnItems(position, node.id);
  const own = node.own
    .map((d) => ({ ts: d.ts, path: node.id, id: d.id }))
    .filter((k) => isAfterEventPosition(k, ownPosition));
  const fromChildren = node.children.flatMap((child) => {
    const childPosition = position && eventPositionForChild(position, `${prefix}${child.id}`, prefix);
    return listEvents(child, false, childPosition, limit).map((k) => ({ ...k, path: `${prefix}${k.path}` }));
  });
  return [...own, ...fromChildren].sort(compareEventKeys).slice(0, limit);
}

function allKeys(node: TreeNode, prefix: string): DeviceKey[] {
  const path = `${prefix}${node.id}`;
  return [
    ...node.own.map((d) => ({ name: d.name, path, id: d.id })),
    ...node.children.flatMap((c) => allKeys(c, `${path}/`)),
  ];
}

function pageThrough<K, P>(
  list: (position: P | undefined, limit: number) => K[],
  toPosition: (key: K) => P,
  random: () => number,
): K[] {
  const visited: K[] = [];
  let position: P | undefined;
  for (let guard = 0; guard < 10_000; guard++) {
    const limit = 1 + Math.floor(random() * 7);
    const page = list(position, limit);
    visited.push(...page);
    if (page.length < limit) return visited;
    position = toPosition(page[page.length - 1]!);
  }
  throw new Error('paging did not end');
}

describe('paging through a random tree of nodes', () => {
  it('visits every device exactly once, in the global order, for any page sizes', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = rng(seed);
      const root: TreeNode = { ...randomTree(random, 3, 'root'), own: [] };
      // At the root, children's paths are unchanged: the expected order is over the children's trees.
      const expected = root.children.flatMap((c) => allKeys(c, '')).sort(compareDeviceKeys);
      const visited = pageThrough(
        (position: DevicePosition | undefined, limit) => listDevices(root, true, position, limit),
        (key): DevicePosition => decodeDeviceCursor(encodeDeviceCursor(key)),
        random,
      );
      expect(visited, `seed ${seed}`).toEqual(expected);
    }
  });

  it('visits every event exactly once, newest first, for any page sizes', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = rng(seed * 7919);
      const root = randomTree(random, 3, 'root');
      const ownOfRoot = root.own.map((d) => ({ ts: d.ts, path: 'root', id: d.id }));
      const expected = [
        ...ownOfRoot,
        ...root.children.flatMap((c) =>
          allKeys(c, '').map((k) => ({ ts: tsOf(c, k), path: k.path, id: k.id })),
        ),
      ].sort(compareEventKeys);
      const visited = pageThrough(
        (position: EventPosition | undefined, limit) => listEvents(root, true, position, limit),
        (key): EventPosition => decodeEventCursor(encodeEventCursor(key)),
        random,
      );
      expect(visited, `seed ${seed}`).toEqual(expected);
    }
  });
});

/** The ts of the item a device key names, looked up in the subtree it came from. */
function tsOf(tree: TreeNode, key: DeviceKey): number {
  const segments = key.path.split('/');
  let node: TreeNode | undefined = tree;
  for (const segment of segments.slice(1)) node = node?.children.find((c) => c.id === segment);
  const item = node?.own.find((d) => d.id === key.id);
  if (!item) throw new Error(`no item ${key.path}:${key.id}`);
  return item.ts;
}

describe('device key order', () => {
  it('breaks name ties by path, then by id', () => {
    const keys: DeviceKey[] = [
      { name: 'n', path: 'a-b', id: '1' },
      { name: 'n', path: 'a/x', id: '2' },
      { name: 'n', path: 'a/x', id: '1' },
      { name: 'm', path: 'z', id: '9' },
    ];
    expect(keys.sort(compareDeviceKeys).map((k) => `${k.name}:${k.path}:${k.id}`)).toEqual([
      'm:z:9',
      'n:a/x:1',
      'n:a/x:2',
      'n:a-b:1',
    ]);
  });
});
