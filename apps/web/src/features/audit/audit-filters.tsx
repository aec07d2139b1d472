import { useCallback } from 'react';
import { useCommitWhenSettled, useDraft } from '../../lib/use-draft.ts';
import { ACTION_FAMILIES, type AuditSearch } from './audit-search.ts';

/** Actor, action family and target; changes land in the URL through `onChange`. */
export function AuditFilters({
  value,
  onChange,
}: {
  value: AuditSearch;
  onChange: (next: Partial<AuditSearch>) => void;
}) {
  const [actor, setActor] = useDraft(value.actor ?? '');
  const [target, setTarget] = useDraft(value.target ?? '');
  const commitActor = useCallback((a: string) => onChange({ actor: a.trim() || undefined }), [onChange]);
  const commitTarget = useCallback((t: string) => onChange({ target: t.trim() || undefined }), [onChange]);
  useCommitWhenSettled(actor, value.actor ?? '', commitActor);
  useCommitWhenSettled(target, value.target ?? '', commitTarget);
  const known = ACTION_FAMILIES.some((f) => f.value === value.action);

  return (
    <form
      className="toolbar"
      role="search"
      aria-label="Filter the audit log"
      onSubmit={(e) => e.preventDefault()}
    >
      <label className="field">
        <span>Actor</span>
        <input
          className="input"
          placeholder="User name"
          autoCapitalize="off"
          spellCheck={false}
          maxLength={128}
          value={actor}
          onChange={(e) => setActor(e.target.value)}
        />
      </label>
      <label className="field">
        <span>Action</span>
        <select
          className="select"
          value={value.action ?? ''}
          onChange={(e) => onChange({ action: e.target.value || undefined })}
        >
          <option value="">Any action</option>
          {!known && value.action && <option value={value.action}>{value.action}</option>}
          {ACTION_FAMILIES.map((family) => (
            <option key={family.value} value={family.value}>
              {family.label} ({family.value}*)
            </option>
          ))}
        </select>
      </label>
      <label className="field grow">
        <span>Target</span>
        <input
          className="input"
          placeholder="User, node path or alert"
          autoCapitalize="off"
          spellCheck={false}
          maxLength={512}
          value={target}
          onChange={(e) => setTarget(e.target.value)}
        />
      </label>
    </form>
  );
}
