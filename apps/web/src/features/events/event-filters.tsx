import type { Severity } from '@tierscope/shared/domain';
import {
  FilterBar,
  NodeFilter,
  SelectFilter,
  SEVERITY_OPTIONS,
  TextFilter,
  type NodeOption,
} from '../../components/ui/filter-fields.tsx';
import type { EventsSearch } from './events-search.ts';

/** Full-text query, minimum severity and node; changes land in the URL through `onChange`. */
export function EventFilters({
  value,
  nodes,
  onChange,
}: {
  value: EventsSearch;
  nodes: readonly NodeOption[];
  onChange: (next: Partial<EventsSearch>) => void;
}) {
  return (
    <FilterBar label="Search events">
      <TextFilter
        label="Search"
        search
        grow
        placeholder='Words in the message, e.g. door -test or "high temperature"'
        maxLength={200}
        value={value.q}
        onCommit={(q) => onChange({ q })}
      />
      <SelectFilter<Severity>
        label="Severity"
        anyLabel="Any"
        options={SEVERITY_OPTIONS}
        value={value.severity}
        onChange={(severity) => onChange({ severity })}
      />
      <NodeFilter nodes={nodes} value={value.node} onChange={(node) => onChange({ node })} />
    </FilterBar>
  );
}
