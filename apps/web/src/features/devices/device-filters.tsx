import type { DeviceStatus } from '@tierscope/shared/schemas';
import { LabelFilter } from '@tierscope/shared/schemas';
import { useCallback, useId } from 'react';
import { useCommitWhenSettled, useDraft } from '../../lib/use-draft.ts';
import type { DevicesSearch } from './devices-search.ts';

export interface NodeOption {
  path: string;
  label: string;
}

/** Search, status, label and node filters; every change lands in the URL through `onChange`. */
export function DeviceFilters({
  value,
  nodes,
  onChange,
}: {
  value: DevicesSearch;
  nodes: readonly NodeOption[];
  onChange: (next: Partial<DevicesSearch>) => void;
}) {
  const [text, setText] = useDraft(value.q ?? '');
  const [label, setLabel] = useDraft(value.label ?? '');
  const labelErrorId = useId();
  const labelValid = label === '' || LabelFilter.safeParse(label).success;
  const commitText = useCallback((q: string) => onChange({ q: q.trim() || undefined }), [onChange]);
  useCommitWhenSettled(text, value.q ?? '', commitText);

  return (
    <form className="toolbar" role="search" aria-label="Filter devices" onSubmit={(e) => e.preventDefault()}>
      <label className="field grow">
        <span>Search</span>
        <input
          className="input"
          type="search"
          placeholder="Device name, id or label value"
          value={text}
          maxLength={200}
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      <label className="field">
        <span>Status</span>
        <select
          className="select"
          value={value.status ?? ''}
          onChange={(e) => onChange({ status: (e.target.value || undefined) as DeviceStatus | undefined })}
        >
          <option value="">Any</option>
          <option value="online">Online</option>
          <option value="offline">Offline</option>
          <option value="unknown">Unknown</option>
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
          {nodes.map((node) => (
            <option key={node.path} value={node.path}>
              {node.label}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Label</span>
        <input
          className="input"
          placeholder="key=value"
          value={label}
          aria-invalid={!labelValid}
          aria-describedby={labelValid ? undefined : labelErrorId}
          onChange={(e) => setLabel(e.target.value)}
          onBlur={() => labelValid && onChange({ label: label || undefined })}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && labelValid) onChange({ label: label || undefined });
          }}
        />
        {!labelValid && (
          <span id={labelErrorId} className="field-error">
            Write it as key=value
          </span>
        )}
      </label>
    </form>
  );
}
