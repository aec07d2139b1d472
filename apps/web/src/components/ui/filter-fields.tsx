import { useCallback, useEffect, useRef, type ReactNode } from 'react';
import { useCommitWhenSettled, useDraft } from '../../lib/use-draft.ts';

/**
 * The toolbar a page's filters sit in: a search landmark named by `label`. Filters commit as they
 * change, so submitting (Enter in a text field) does nothing.
 */
export function FilterBar({ label, id, children }: { label: string; id?: string; children: ReactNode }) {
  return (
    <form id={id} className="toolbar" role="search" aria-label={label} onSubmit={(e) => e.preventDefault()}>
      {children}
    </form>
  );
}

/**
 * A filter typed into freely and committed once typing settles: trimmed, and an empty one unset.
 * `code` is for ids and names, which are not prose: no spell-check, no auto-capital.
 */
export function TextFilter({
  label,
  value,
  onCommit,
  placeholder,
  maxLength,
  search = false,
  grow = false,
  code = false,
}: {
  label: string;
  /** The committed value (the URL's). */
  value: string | undefined;
  onCommit: (next: string | undefined) => void;
  placeholder: string;
  maxLength: number;
  /** A search box (type="search"), the toolbar's main field. */
  search?: boolean;
  grow?: boolean;
  code?: boolean;
}) {
  const [text, setText] = useDraft(value ?? '');
  // Parents pass a new callback each render; the commit timer must not restart for that.
  const latest = useRef(onCommit);
  useEffect(() => {
    latest.current = onCommit;
  });
  const commit = useCallback((next: string) => latest.current(next.trim() || undefined), []);
  useCommitWhenSettled(text, value ?? '', commit);
  return (
    <label className={grow ? 'field grow' : 'field'}>
      <span>{label}</span>
      <input
        className="input"
        {...(search && { type: 'search' })}
        placeholder={placeholder}
        maxLength={maxLength}
        value={text}
        {...(code && { spellCheck: false, autoCapitalize: 'off' })}
        onChange={(e) => setText(e.target.value)}
      />
    </label>
  );
}

export interface FilterOption<V extends string> {
  value: V;
  label: string;
}

/**
 * A choice among `options`, or none (`anyLabel`). A value from the URL that is not among them
 * (a node not in the tree yet, an action typed by hand) stays shown as itself.
 */
export function SelectFilter<V extends string>({
  label,
  value,
  anyLabel,
  options,
  onChange,
}: {
  label: string;
  value: V | undefined;
  /** The choice of no filter; without one, an option is always chosen. */
  anyLabel?: string;
  options: readonly FilterOption<V>[];
  onChange: (next: V | undefined) => void;
}) {
  const unknown = value !== undefined && !options.some((o) => o.value === value);
  return (
    <label className="field">
      <span>{label}</span>
      <select
        className="select"
        value={value ?? ''}
        onChange={(e) => onChange((e.target.value || undefined) as V | undefined)}
      >
        {anyLabel !== undefined && <option value="">{anyLabel}</option>}
        {unknown && <option value={value}>{value}</option>}
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A node as a filter offers it: its path, and what people read. */
export interface NodeOption {
  path: string;
  label: string;
}

/** The node filter: every node of the tree, or all of them. */
export function NodeFilter({
  nodes,
  value,
  onChange,
}: {
  nodes: readonly NodeOption[];
  value: string | undefined;
  onChange: (next: string | undefined) => void;
}) {
  const options = nodes.map((node) => ({ value: node.path, label: node.label }));
  return (
    <SelectFilter label="Node" anyLabel="All nodes" options={options} value={value} onChange={onChange} />
  );
}

export const SEVERITY_OPTIONS = [
  { value: 'critical', label: 'Critical' },
  { value: 'warning', label: 'Warning' },
  { value: 'info', label: 'Info' },
] as const satisfies readonly FilterOption<string>[];
