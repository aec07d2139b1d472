import type { DeviceStatus } from '@tierscope/shared/schemas';
import { LabelFilter } from '@tierscope/shared/schemas';
import { useId } from 'react';
import {
  FilterBar,
  NodeFilter,
  SelectFilter,
  TextFilter,
  type NodeOption,
} from '../../components/ui/filter-fields.tsx';
import { useDraft } from '../../lib/use-draft.ts';
import type { DevicesSearch } from './devices-search.ts';

const STATUS_OPTIONS = [
  { value: 'online', label: 'Online' },
  { value: 'offline', label: 'Offline' },
  { value: 'unknown', label: 'Unknown' },
] as const;

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
  const [label, setLabel] = useDraft(value.label ?? '');
  const labelErrorId = useId();
  const labelValid = label === '' || LabelFilter.safeParse(label).success;

  return (
    <FilterBar label="Filter devices">
      <TextFilter
        label="Search"
        search
        grow
        placeholder="Device name, id or label value"
        maxLength={200}
        value={value.q}
        onCommit={(q) => onChange({ q })}
      />
      <SelectFilter<DeviceStatus>
        label="Status"
        anyLabel="Any"
        options={STATUS_OPTIONS}
        value={value.status}
        onChange={(status) => onChange({ status })}
      />
      <NodeFilter nodes={nodes} value={value.node} onChange={(node) => onChange({ node })} />
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
    </FilterBar>
  );
}
