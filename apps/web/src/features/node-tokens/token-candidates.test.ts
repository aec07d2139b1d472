import { describe, expect, it } from 'vitest';
import type { TreeNode } from '../../lib/node-tree.ts';
import { tokenCandidates } from './token-candidates.ts';

const node = (path: string, parentPath: string | null): TreeNode => ({
  path,
  name: path || 'Tierscope',
  depth: path.split('/').length,
  parentPath,
  childPaths: [],
  status: 'live',
  ageMs: 0,
  reason: null,
  info: null,
});

describe('tokenCandidates', () => {
  it('lists every node below the root with the parent that holds its token', () => {
    const rows = [node('', null), node('district-1', ''), node('district-1/probe-a', 'district-1')];
    expect(tokenCandidates(rows).map((c) => [c.path, c.parentPath])).toEqual([
      ['district-1', ''],
      ['district-1/probe-a', 'district-1'],
    ]);
  });
});
