import type { Coverage } from '@tierscope/shared/domain';
import { useId, type ReactNode } from 'react';
import { useRefreshInterval } from '../../lib/refresh-interval.tsx';
import { isStale } from '../../lib/staleness.ts';
import { useNow } from '../../lib/use-now.ts';
import { formatAge } from '../../lib/format.ts';
import { CoverageBadge } from './coverage-badge.tsx';
import { DataAge } from './data-age.tsx';
import { EmptyState, ErrorNotice, Skeleton } from './notices.tsx';

/** The parts of a TanStack Query result a panel reads. */
export interface PanelQuery {
  status: 'pending' | 'error' | 'success';
  error: unknown;
  /** 0 until the first answer. */
  dataUpdatedAt: number;
  refetch: () => unknown;
}

export interface FanOutPanelProps {
  title: string;
  headingLevel?: 2 | 3;
  query: PanelQuery;
  /** Which nodes answered, when the data came from a fan-out: shown as the coverage badge. */
  coverage?: Coverage | undefined;
  /** Off for coverage derived from heartbeats rather than calls. */
  showLatency?: boolean;
  /** Next to the title: a count, a unit. */
  summary?: ReactNode;
  /** At the header's end: filters, links. */
  actions?: ReactNode;
  isEmpty?: boolean;
  emptyTitle?: string;
  emptyText?: ReactNode;
  /** What to show before the first answer; rows of placeholder text by default. */
  loading?: ReactNode;
  /** The body without padding, for tables that run edge to edge. */
  flush?: boolean;
  testId?: string;
  children?: ReactNode;
}

/**
 * Every widget whose data came over the network, honest about it in one way: a coverage badge
 * naming the nodes that did not answer, the data's age once it is stale, the error when a call
 * failed (above the last good data, if any), and designed loading and empty states.
 */
export function FanOutPanel(props: FanOutPanelProps) {
  const { title, headingLevel = 2, query, coverage, summary, actions, flush = false } = props;
  const headingId = useId();
  const now = useNow(1000);
  const { refreshMs } = useRefreshInterval();
  const hasData = query.dataUpdatedAt > 0;
  const ageMs = hasData ? Math.max(0, now - query.dataUpdatedAt) : 0;
  const stale = hasData && isStale(ageMs, refreshMs);
  const Heading = headingLevel === 2 ? 'h2' : 'h3';

  return (
    <section
      className="panel"
      aria-labelledby={headingId}
      aria-busy={query.status === 'pending'}
      data-testid={props.testId}
    >
      <header className="panel-header">
        <div className="panel-title">
          <Heading id={headingId}>{title}</Heading>
          {summary && <span className="panel-summary">{summary}</span>}
        </div>
        <div className="panel-meta">
          {coverage && <CoverageBadge coverage={coverage} showLatency={props.showLatency ?? true} />}
          {stale && <DataAge ageMs={ageMs} stale />}
          {actions}
        </div>
      </header>
      {query.status === 'error' && (
        <div className={hasData ? 'panel-notice' : 'panel-body'}>
          <ErrorNotice
            error={query.error}
            onRetry={() => void query.refetch()}
            prefix={hasData ? `Showing the last answer, from ${formatAge(ageMs)} ago.` : undefined}
          />
        </div>
      )}
      {query.status === 'pending' && (props.loading ?? <Skeleton label={title.toLowerCase()} />)}
      {hasData &&
        (props.isEmpty ? (
          <EmptyState title={props.emptyTitle ?? 'Nothing here'}>{props.emptyText}</EmptyState>
        ) : (
          <div className={flush ? 'panel-body flush' : 'panel-body'}>{props.children}</div>
        ))}
    </section>
  );
}
