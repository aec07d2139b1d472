import { useId } from 'react';
import type { ParamField, ParamValues } from './command-form.ts';

/** A declared command's parameters as inputs, each with its bounds and its error beside it. */
export function CommandParamFields({
  fields,
  values,
  errors,
  onChange,
}: {
  fields: readonly ParamField[];
  values: ParamValues;
  errors: Record<string, string>;
  onChange: (name: string, value: string) => void;
}) {
  if (fields.length === 0) return <p className="muted">This command takes no parameters.</p>;
  return (
    <div className="form-grid">
      {fields.map((field) => (
        <ParamInput
          key={field.name}
          field={field}
          value={values[field.name] ?? ''}
          error={errors[field.name]}
          onChange={(value) => onChange(field.name, value)}
        />
      ))}
    </div>
  );
}

function ParamInput({
  field,
  value,
  error,
  onChange,
}: {
  field: ParamField;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
}) {
  const id = useId();
  const hint = [field.description, field.hint].filter(Boolean).join(' · ');
  const describedBy = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  const label = `${field.name}${field.required ? '' : ' (optional)'}`;
  const common = { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy } as const;
  return (
    <div className="field">
      {field.control === 'checkbox' ? (
        <label className="check-row">
          <input
            {...common}
            type="checkbox"
            className="checkbox"
            checked={value === 'true'}
            onChange={(e) => onChange(String(e.target.checked))}
          />
          <span>{label}</span>
        </label>
      ) : (
        <label htmlFor={id} className="field-label">
          {label}
        </label>
      )}
      {field.control === 'choice' && (
        <select {...common} className="select" value={value} onChange={(e) => onChange(e.target.value)}>
          {!field.required && <option value="">Not set</option>}
          {field.options.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      )}
      {(field.control === 'text' || field.control === 'number') && (
        <input
          {...common}
          className="input"
          inputMode={field.control === 'number' ? 'decimal' : undefined}
          spellCheck={false}
          autoCapitalize="off"
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      {hint && (
        <small id={`${id}-hint`} className="field-hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} className="field-error">
          {error}
        </small>
      )}
    </div>
  );
}
