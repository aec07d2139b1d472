import { Link, type ErrorComponentProps } from '@tanstack/react-router';
import { EmptyState, ErrorNotice, Skeleton } from '../components/ui/notices.tsx';

/** While a page's code loads. */
export function RouteLoading() {
  return <Skeleton rows={8} label="page" />;
}

/** A page that failed to render or to load its code (e.g. offline with a new version deployed). */
export function RouteError({ error, reset }: ErrorComponentProps) {
  return (
    <>
      <h1>This page failed</h1>
      <ErrorNotice error={error} onRetry={reset} />
    </>
  );
}

export function NotFoundRoute() {
  return (
    <>
      <h1>Page not found</h1>
      <EmptyState title="Nothing lives at this address">
        <Link to="/">Back to the overview</Link>
      </EmptyState>
    </>
  );
}
