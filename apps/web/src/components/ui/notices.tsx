import type { ReactNode } from 'react';
import { describeError } from '../../lib/errors.ts';

/** An error, shown where the data would be; never swallowed. */
export function ErrorNotice({
  error,
  onRetry,
  prefix,
}: {
  error: unknown;
  onRetry?: (() => void) | undefined;
  /** Says what the error means for what is shown, e.g. "Showing data from 2 minutes ago." */
  prefix?: ReactNode;
}) {
  const { title, detail } = describeError(error);
  return (
    <div className="notice" data-tone="bad" role="alert">
      <div className="notice-body">
        <p className="notice-title">{title}</p>
        <p>{detail}</p>
        {prefix && <p>{prefix}</p>}
      </div>
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <strong>{title}</strong>
      {children && <div>{children}</div>}
    </div>
  );
}

/** Placeholder rows while the first answer is on its way. */
export function Skeleton({ rows = 5, label }: { rows?: number; label: string }) {
  return (
    <div className="skeleton" role="status" aria-live="polite">
      <span className="visually-hidden">Loading {label}…</span>
      {Array.from({ length: rows }, (_, i) => (
        <span key={i} aria-hidden="true" />
      ))}
    </div>
  );
}

export function ChartSkeleton({ label }: { label: string }) {
  return (
    <div role="status">
      <span className="visually-hidden">Loading {label}…</span>
      <div className="skeleton-chart" aria-hidden="true" />
    </div>
  );
}
