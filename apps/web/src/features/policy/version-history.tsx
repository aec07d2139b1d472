import type { PolicyVersionSummary } from '@tierscope/shared/schemas';
import { Fragment, useState } from 'react';
import { ScrollTable } from '../../components/ui/scroll-table.tsx';
import { formatAgo, formatTimestamp } from '../../lib/format.ts';
import { useNow } from '../../lib/use-now.ts';
import { shortHash } from './drift-wording.ts';
import { RollbackForm } from './rollback-form.tsx';

const PHASE_TONES = { canary: 'warn', released: 'ok', halted: 'bad' } as const;
const COLUMNS = [
  { header: 'Compare' },
  { header: 'Version' },
  { header: 'Phase' },
  { header: 'Comment' },
  { header: 'By' },
  { header: 'When' },
  { header: 'Hash' },
  { header: 'Rollback of' },
  { header: <span className="visually-hidden">Actions</span> },
];

/**
 * Every published version, newest first. Ticking two compares them; an admin may roll back to any
 * version but the current one.
 */
export function VersionHistory({
  versions,
  currentVersion,
  canRollBack,
  compared,
  onToggleCompare,
}: {
  versions: readonly PolicyVersionSummary[];
  currentVersion: number | null;
  canRollBack: boolean;
  compared: readonly number[];
  onToggleCompare: (version: number) => void;
}) {
  const now = useNow(10_000);
  const [rollingBack, setRollingBack] = useState<number | null>(null);
  const [rolledBack, setRolledBack] = useState<PolicyVersionSummary | null>(null);
  return (
    <>
      {rolledBack && (
        <div className="notice" data-tone="ok" role="status">
          <div className="notice-body">
            <p>
              Published version {rolledBack.version}, the content of version {rolledBack.rollbackOf}, to every
              node.
            </p>
          </div>
        </div>
      )}
      <ScrollTable label="Policy versions" columns={COLUMNS}>
        {versions.map((v) => (
          <Fragment key={v.version}>
            <tr data-testid="version-row" data-version={v.version} data-phase={v.phase}>
              <td>
                <input
                  type="checkbox"
                  className="checkbox"
                  aria-label={`Compare version ${v.version}`}
                  checked={compared.includes(v.version)}
                  onChange={() => onToggleCompare(v.version)}
                />
              </td>
              <th scope="row" className="num">
                v{v.version}
                {v.version === currentVersion && <span className="muted"> (current)</span>}
              </th>
              <td>
                <span className="pill" data-tone={PHASE_TONES[v.phase]} title={v.haltReason ?? undefined}>
                  {v.phase}
                </span>
              </td>
              <td className="wide-cell">{v.comment || <span className="muted">—</span>}</td>
              <td>{v.publishedBy}</td>
              <td>
                <time dateTime={new Date(v.publishedAt).toISOString()} title={formatTimestamp(v.publishedAt)}>
                  {formatAgo(v.publishedAt, now)}
                </time>
              </td>
              <td>
                <code title={v.hash}>{shortHash(v.hash)}</code>
              </td>
              <td className="num">{v.rollbackOf === null ? '—' : `v${v.rollbackOf}`}</td>
              <td>
                {canRollBack && v.version !== currentVersion && (
                  <button
                    type="button"
                    className="button"
                    aria-expanded={rollingBack === v.version}
                    onClick={() => {
                      setRolledBack(null);
                      setRollingBack(rollingBack === v.version ? null : v.version);
                    }}
                  >
                    Roll back to this version
                    <span className="visually-hidden"> ({v.version})</span>
                  </button>
                )}
              </td>
            </tr>
            {rollingBack === v.version && (
              <tr>
                <td colSpan={COLUMNS.length}>
                  <RollbackForm
                    version={v.version}
                    onDone={(published) => {
                      setRollingBack(null);
                      setRolledBack(published);
                    }}
                  />
                </td>
              </tr>
            )}
          </Fragment>
        ))}
      </ScrollTable>
    </>
  );
}
