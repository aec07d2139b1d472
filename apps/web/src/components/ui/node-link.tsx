import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';

/**
 * A link to a node's page by its path ("" is the whole fleet). Marked current only on that exact
 * page: a parent's page is not "current" while a child's is open.
 */
export function NodeLink({
  path,
  className,
  children,
}: {
  path: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <Link to="/nodes/$" params={{ _splat: path }} activeOptions={{ exact: true }} className={className}>
      {children}
    </Link>
  );
}
