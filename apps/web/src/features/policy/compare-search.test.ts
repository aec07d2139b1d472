import { describe, expect, it } from 'vitest';
import { formatCompared, parseCompared, toggleCompared } from './compare-search.ts';

describe('compared versions', () => {
  it('reads at most two distinct versions from the URL and drops what does not parse', () => {
    expect(parseCompared('2,5')).toEqual([2, 5]);
    expect(parseCompared('x,3,3,0,7')).toEqual([3, 7]);
    expect(parseCompared(undefined)).toEqual([]);
  });

  it('keeps the two latest ticks', () => {
    expect(toggleCompared([2, 5], 7)).toEqual([5, 7]);
    expect(toggleCompared([2, 5], 2)).toEqual([5]);
    expect(formatCompared([])).toBeUndefined();
    expect(formatCompared([5, 7])).toBe('5,7');
  });
});
