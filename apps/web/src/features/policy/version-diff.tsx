import { useQueries } from '@tanstack/react-query';
import { useMemo } from 'react';
import { FanOutPanel } from '../../components/ui/fan-out-panel.tsx';
import { policyVersionQueryOptions } from './policy-queries.ts';
import { diffStat, versionDiffLines } from './version-diff-lines.ts';

const MARKS = { added: '+', removed: '−', same: ' ' } as const;

/** The line diff of two versions' contents, older to newer, as canonical JSON. */
export function VersionDiff({ older, newer }: { older: number; newer: number }) {
  const [olderQuery, newerQuery] = useQueries({
    queries: [policyVersionQueryOptions(older), policyVersionQueryOptions(newer)],
  });
  const olderContent = olderQuery.data?.content;
  const newerContent = newerQuery.data?.content;
  const lines = useMemo(
    () => (olderContent && newerContent ? versionDiffLines(olderContent, newerContent) : []),
    [olderContent, newerContent],
  );
  const stat = diffStat(lines);
  // The panel reads as one query: pending until both arrived, failed if either failed.
  const failed =
    olderQuery.status === 'error' ? olderQuery : newerQuery.status === 'error' ? newerQuery : null;
  const query = {
    status: failed ? 'error' : olderContent && newerContent ? 'success' : 'pending',
    error: failed?.error,
    dataUpdatedAt:
      olderContent && newerContent ? Math.max(olderQuery.dataUpdatedAt, newerQuery.dataUpdatedAt) : 0,
    refetch: () => Promise.all([olderQuery.refetch(), newerQuery.refetch()]),
  } as const;
  return (
    <FanOutPanel
      title={`Changes from v${older} to v${newer}`}
      query={query}
      summary={`+${stat.added} −${stat.removed} lines`}
      isEmpty={stat.added === 0 && stat.removed === 0}
      emptyTitle="The two versions hold the same content"
      flush
      testId="version-diff"
    >
      <div className="diff" role="region" aria-label={`Diff of v${older} and v${newer}`} tabIndex={0}>
        <pre>
          {lines.map((line, index) => (
            <span key={index} className="diff-line" data-kind={line.kind}>
              <span className="diff-number" aria-hidden="true">
                {line.oldNumber ?? ''}
              </span>
              <span className="diff-number" aria-hidden="true">
                {line.newNumber ?? ''}
              </span>
              <span className="diff-mark">{MARKS[line.kind]}</span>
              {line.text}
              {'\n'}
            </span>
          ))}
        </pre>
      </div>
    </FanOutPanel>
  );
}
