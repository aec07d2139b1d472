import type { Severity } from '@tierscope/shared/domain';
import { useCallback, useId, useState, type ReactNode } from 'react';
import { useCommitWhenSettled, useDraft } from '../../lib/use-draft.ts';
import { NARROW_QUERY, useMediaQuery } from '../../lib/use-media-query.ts';
import { STATE_FILTER_LABELS, STATE_FILTERS, type AlertFilters, type StateFilter } from './alert-filters.ts';

export interface NodeOption {
  path: string;
  label: string;
}

/**
 * Text, state, severity, node and device; every change lands in the URL through `onChange`. On a
 * phone the filters fold behind one button (saying how many are set), so the alerts come first;
 * `tools` sit beside that button.
 */
export function AlertFilterBar({
  value,
  nodes,
  onChange,
  tools,
}: {
  value: AlertFilters;
  nodes: readonly NodeOption[];
  onChange: (next: Partial<AlertFilters>) => void;
  tools?: ReactNode;
}) {
  const narrow = useMediaQuery(NARROW_QUERY);
  const [open, setOpen] = useState(false);
  const formId = useId();
  const active = [value.state, value.severity, value.node, value.device, value.q].filter(Boolean).length;
  return (
    <>
      <div className="filter-row">
        {narrow && (
          <button
            type="button"
            className="button"
            aria-expanded={open}
            aria-controls={formId}
            onClick={() => setOpen((o) => !o)}
          >
            Filters{active > 0 && ` · ${active} set`}
          </button>
        )}
        {tools}
      </div>
      {(!narrow || open) && <FilterForm id={formId} value={value} nodes={nodes} onChange={onChange} />}
    </>
  );
}

function FilterForm({
  id,
  value,
  nodes,
  onChange,
}: {
  id: string;
  value: AlertFilters;
  nodes: readonly NodeOption[];
  onChange: (next: Partial<AlertFilters>) => void;
}) {
  const [text, setText] = useDraft(value.q ?? '');
  const [device, setDevice] = useDraft(value.device ?? '');
  const commitText = useCallback((q: string) => onChange({ q: q.trim() || undefined }), [onChange]);
  const commitDevice = useCallback((id: string) => onChange({ device: id.trim() || undefined }), [onChange]);
  useCommitWhenSettled(text, value.q ?? '', commitText);
  useCommitWhenSettled(device, value.device ?? '', commitDevice);

  return (
    <form
      id={id}
      className="toolbar"
      role="search"
      aria-label="Filter alerts"
      onSubmit={(e) => e.preventDefault()}
    >
      <label className="field grow">
        <span>Search</span>
        <input
          className="input"
          type="search"
          placeholder="Rule, summary or device"
          value={text}
          maxLength={200}
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      <label className="field">
        <span>State</span>
        <select
          className="select"
          value={value.state ?? 'open'}
          onChange={(e) =>
            onChange({ state: e.target.value === 'open' ? undefined : (e.target.value as StateFilter) })
          }
        >
          {STATE_FILTERS.map((state) => (
            <option key={state} value={state}>
              {STATE_FILTER_LABELS[state]}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Severity</span>
        <select
          className="select"
          value={value.severity ?? ''}
          onChange={(e) => onChange({ severity: (e.target.value || undefined) as Severity | undefined })}
        >
          <option value="">Any</option>
          <option value="critical">Critical</option>
          <option value="warning">Warning</option>
          <option value="info">Info</option>
        </select>
      </label>
      <label className="field">
        <span>Node</span>
        <select
          className="select"
          value={value.node ?? ''}
          onChange={(e) => onChange({ node: e.target.value || undefined })}
        >
          <option value="">All nodes</option>
          {value.node && !nodes.some((n) => n.path === value.node) && (
            <option value={value.node}>{value.node}</option>
          )}
          {nodes.map((node) => (
            <option key={node.path} value={node.path}>
              {node.label}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Device</span>
        <input
          className="input"
          placeholder="Device id"
          value={device}
          maxLength={128}
          spellCheck={false}
          autoCapitalize="off"
          onChange={(e) => setDevice(e.target.value)}
        />
      </label>
    </form>
  );
}
