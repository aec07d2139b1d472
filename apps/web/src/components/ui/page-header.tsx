import { useEffect, type ReactNode } from 'react';
import { setPageTitle } from '../../lib/document-title.ts';
import { NodeLink } from './node-link.tsx';

export interface Crumb {
  label: string;
  /** A node path for a node page ("" is the whole fleet); absent for the current page. */
  nodePath?: string;
}

/** The page's one h1, with breadcrumbs above it and actions beside it; it also names the tab. */
export function PageHeader({
  title,
  documentTitle = typeof title === 'string' ? title : undefined,
  subtitle,
  crumbs,
  actions,
}: {
  title: ReactNode;
  /** The browser tab's title, when `title` is not plain text. */
  documentTitle?: string | undefined;
  subtitle?: ReactNode;
  crumbs?: Crumb[] | undefined;
  actions?: ReactNode;
}) {
  useEffect(() => {
    setPageTitle(documentTitle);
  }, [documentTitle]);
  return (
    <div className="page-header">
      <div>
        {crumbs && crumbs.length > 0 && <Breadcrumbs crumbs={crumbs} />}
        <h1>{title}</h1>
        {subtitle && <p className="subtitle">{subtitle}</p>}
      </div>
      {actions && <div className="page-header-actions">{actions}</div>}
    </div>
  );
}

function Breadcrumbs({ crumbs }: { crumbs: Crumb[] }) {
  return (
    <nav className="breadcrumbs" aria-label="Breadcrumb">
      <ol>
        {crumbs.map((crumb, index) => (
          <li key={`${crumb.label}-${index}`}>
            {crumb.nodePath === undefined ? (
              <span aria-current="page">{crumb.label}</span>
            ) : (
              <NodeLink path={crumb.nodePath}>{crumb.label}</NodeLink>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}

/** Breadcrumbs down a node path: Fleet / district-1 / probe-a. */
export function nodePathCrumbs(path: string): Crumb[] {
  const segments = path === '' ? [] : path.split('/');
  return [
    { label: 'Fleet', nodePath: '' },
    ...segments.map((segment, i) => ({ label: segment, nodePath: segments.slice(0, i + 1).join('/') })),
  ];
}
