import type { Coverage } from '@tierscope/shared/domain';
import { renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { usePagedList } from './paged-list.ts';

const coverage = (state: 'ok' | 'timeout'): Coverage => ({
  asked: 2,
  answered: state === 'ok' ? 2 : 1,
  nodes: [
    { path: 'probe-a', state: 'ok', latencyMs: 3 },
    { path: 'probe-b', state, latencyMs: 3 },
  ],
});

describe('usePagedList', () => {
  it('shows every loaded page in the order the server sent, with the worst coverage of any page', () => {
    const data = {
      pages: [
        { items: ['a1', 'b1'], coverage: coverage('ok') },
        { items: ['a2'], coverage: coverage('timeout') },
      ],
    };
    const { result } = renderHook(() => usePagedList({ data, fetchNextPage: async () => undefined }));
    expect(result.current.rows).toEqual(['a1', 'b1', 'a2']);
    expect(result.current.coverage).toMatchObject({ asked: 2, answered: 1 });
  });

  it('has no rows and no coverage before the first page', () => {
    const { result } = renderHook(() =>
      usePagedList({ data: undefined, fetchNextPage: async () => undefined }),
    );
    expect(result.current.rows).toEqual([]);
    expect(result.current.coverage).toBeUndefined();
  });
});
