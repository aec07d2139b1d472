import type { Severity } from '@tierscope/shared/domain';
import { useId, useState, type ReactNode } from 'react';
import {
  FilterBar,
  NodeFilter,
  SelectFilter,
  SEVERITY_OPTIONS,
  TextFilter,
  type NodeOption,
} from '../../components/ui/filter-fields.tsx';
import { NARROW_QUERY, useMediaQuery } from '../../lib/use-media-query.ts';
import { STATE_FILTER_LABELS, STATE_FILTERS, type AlertFilters, type StateFilter } from './alert-filters.ts';

const STATE_OPTIONS = STATE_FILTERS.map((state) => ({ value: state, label: STATE_FILTER_LABELS[state] }));

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
  return (
    <FilterBar label="Filter alerts" id={id}>
      <TextFilter
        label="Search"
        search
        grow
        placeholder="Rule, summary or device"
        maxLength={200}
        value={value.q}
        onCommit={(q) => onChange({ q })}
      />
      <SelectFilter<StateFilter>
        label="State"
        options={STATE_OPTIONS}
        value={value.state ?? 'open'}
        onChange={(state) => onChange({ state: state === 'open' ? undefined : state })}
      />
      <SelectFilter<Severity>
        label="Severity"
        anyLabel="Any"
        options={SEVERITY_OPTIONS}
        value={value.severity}
        onChange={(severity) => onChange({ severity })}
      />
      <NodeFilter nodes={nodes} value={value.node} onChange={(node) => onChange({ node })} />
      <TextFilter
        label="Device"
        code
        placeholder="Device id"
        maxLength={128}
        value={value.device}
        onCommit={(device) => onChange({ device })}
      />
    </FilterBar>
  );
}
