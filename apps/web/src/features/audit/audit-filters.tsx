import { FilterBar, SelectFilter, TextFilter } from '../../components/ui/filter-fields.tsx';
import { ACTION_FAMILIES, type AuditSearch } from './audit-search.ts';

const ACTION_OPTIONS = ACTION_FAMILIES.map((family) => ({
  value: family.value,
  label: `${family.label} (${family.value}*)`,
}));

/** Actor, action family and target; changes land in the URL through `onChange`. */
export function AuditFilters({
  value,
  onChange,
}: {
  value: AuditSearch;
  onChange: (next: Partial<AuditSearch>) => void;
}) {
  return (
    <FilterBar label="Filter the audit log">
      <TextFilter
        label="Actor"
        code
        placeholder="User name"
        maxLength={128}
        value={value.actor}
        onCommit={(actor) => onChange({ actor })}
      />
      <SelectFilter
        label="Action"
        anyLabel="Any action"
        options={ACTION_OPTIONS}
        value={value.action}
        onChange={(action) => onChange({ action })}
      />
      <TextFilter
        label="Target"
        code
        grow
        placeholder="User, node path or alert"
        maxLength={512}
        value={value.target}
        onCommit={(target) => onChange({ target })}
      />
    </FilterBar>
  );
}
