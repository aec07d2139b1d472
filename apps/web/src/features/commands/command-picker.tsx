import { useId } from 'react';
import { CommandParamFields } from './command-param-fields.tsx';
import type { CommandDraft } from './use-command-draft.ts';

/** Which command to send and its parameters, from the declarations the draft holds. */
export function CommandPicker({ draft }: { draft: CommandDraft }) {
  const id = useId();
  return (
    <>
      <div className="field">
        <label htmlFor={id} className="field-label">
          Command
        </label>
        <select id={id} className="select" value={draft.name} onChange={(e) => draft.choose(e.target.value)}>
          {draft.names.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        {draft.declaration?.description && (
          <small className="field-hint">{draft.declaration.description}</small>
        )}
      </div>
      <CommandParamFields
        fields={draft.fields}
        values={draft.values}
        errors={draft.errors}
        onChange={draft.setValue}
      />
    </>
  );
}
