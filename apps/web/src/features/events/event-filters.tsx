import type { Severity } from '@tierscope/shared/domain';
import { useCallback } from 'react';
import { useCommitWhenSettled, useDraft } from '../../lib/use-draft.ts';
import type { EventsSearch } from './events-search.ts';

/** Full-text query and minimum severity; changes land in the URL through `onChange`. */
export function EventFilters({
  value,
  onChange,
}: {
  value: EventsSearch;
  onChange: (next: Partial<EventsSearch>) => void;
}) {
  const [text, setText] = useDraft(value.q ?? '');
  const commitText = useCallback((q: string) => onChange({ q: q.trim() || undefined }), [onChange]);
  useCommitWhenSettled(text, value.q ?? '', commitText);

  return (
    <form className="toolbar" role="search" aria-label="Search events" onSubmit={(e) => e.preventDefault()}>
      <label className="field grow">
        <span>Search</span>
        <input
          className="input"
          type="search"
          placeholder='Words in the message, e.g. door -test or "high temperature"'
          value={text}
          maxLength={200}
          onChange={(e) => setText(e.target.value)}
        />
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
    </form>
  );
}
