import { describe, expect, it } from 'vitest';
import { canonicalJson, diffStat, versionDiffLines } from './version-diff-lines.ts';

describe('version diff', () => {
  it('writes objects with sorted keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      JSON.stringify({ a: { c: null, d: [3, { y: 2, z: 1 }] }, b: 1 }, null, 2),
    );
  });

  it('finds no difference between two contents that differ only in key order', () => {
    const lines = versionDiffLines(
      { bundles: [{ name: 'a', target: '**' }] },
      { bundles: [{ target: '**', name: 'a' }] },
    );
    expect(diffStat(lines)).toEqual({ added: 0, removed: 0 });
  });

  it('numbers each line on its own side and marks what was added and removed', () => {
    const lines = versionDiffLines({ a: 1, b: 2 }, { a: 1, b: 3 });
    expect(lines).toEqual([
      { kind: 'same', text: '{', oldNumber: 1, newNumber: 1 },
      { kind: 'same', text: '  "a": 1,', oldNumber: 2, newNumber: 2 },
      { kind: 'removed', text: '  "b": 2', oldNumber: 3, newNumber: null },
      { kind: 'added', text: '  "b": 3', oldNumber: null, newNumber: 3 },
      { kind: 'same', text: '}', oldNumber: 4, newNumber: 4 },
    ]);
    expect(diffStat(lines)).toEqual({ added: 1, removed: 1 });
  });
});
