import { describe, expect, it } from 'vitest';
import { describeScope, parseScopeText } from './scope-text.ts';

describe('parseScopeText', () => {
  it('reads patterns separated by commas, spaces or lines, once each; empty is the whole tree', () => {
    expect(parseScopeText('district-1/**, probe-d\nprobe-d')).toEqual({
      scope: ['district-1/**', 'probe-d'],
    });
    expect(parseScopeText('  ')).toEqual({ scope: ['**'] });
  });

  it('names the first pattern that is not a node subtree', () => {
    expect(parseScopeText('district-1, district-*/probe')).toEqual({
      problem: expect.stringContaining('"district-*/probe" is not a scope') as unknown,
    });
  });

  it('describes the whole tree in words', () => {
    expect(describeScope(['**'])).toBe('Every node');
    expect(describeScope(['district-1', 'probe-d'])).toBe('district-1, probe-d');
  });
});
