import { describe, expect, it } from 'vitest';
import type { TreeNode } from '../../lib/node-tree.ts';
import { tokenCandidates } from './token-candidates.ts';

const node = (
  path: string,
  parentPath: string | null,
  attachment: TreeNode['attachment'] = parentPath === null ? null : 'uplink',
): TreeNode => ({
  path,
  name: path || 'Tierscope',
  depth: path.split('/').length,
  parentPath,
  childPaths: [],
  attachment,
  status: 'live',
  ageMs: 0,
  reason: null,
  info: null,
});

describe('tokenCandidates', () => {
  it('lists the uplink children below the root with the parent that holds their token', () => {
    const rows = [node('', null), node('district-1', ''), node('district-1/probe-a', 'district-1')];
    expect(tokenCandidates(rows).map((c) => [c.path, c.parentPath])).toEqual([
      ['district-1', ''],
      ['district-1/probe-a', 'district-1'],
    ]);
  });

  it('leaves out a dialled child, and keeps one whose parent does not say how it is attached', () => {
    const rows = [
      node('', null),
      node('district-1', '', 'dialled'),
      node('district-1/probe-a', 'district-1', 'uplink'),
      node('district-1/probe-c', 'district-1', 'dialled'),
      node('probe-old', '', null),
    ];
    expect(tokenCandidates(rows).map((c) => c.path)).toEqual(['district-1/probe-a', 'probe-old']);
  });
});
