import { Severity } from '@tierscope/shared/domain';
import type { PreviewRuleInput } from '@tierscope/shared/schemas';
import { useState } from 'react';
import { SelectField, TextField, type TextFieldProps } from '../../../components/ui/form-fields.tsx';
import { canonicalJson } from '../version-diff-lines.ts';
import { RulePreviewResult } from './rule-preview.tsx';
import {
  RULE_KINDS,
  ruleFromForm,
  THRESHOLD_OPERATORS,
  type RuleField,
  type RuleForm,
  type RuleKind,
  type ThresholdOperator,
} from './rule-form.ts';

const DAY_MS = 24 * 3600 * 1000;

/** The 24 hours a preview replays, ending now. */
function lastDay(): { from: number; to: number } {
  const to = Date.now();
  return { from: to - DAY_MS, to };
}

/** Which fields each kind of condition shows, beyond the ones every rule has. */
const KIND_FIELDS: Record<RuleKind, readonly RuleField[]> = {
  threshold: ['metric', 'value', 'hysteresis', 'forSeconds'],
  'rate-of-change': ['metric', 'perMinute', 'forSeconds'],
  'no-data': ['metric', 'forSeconds'],
  'device-offline': ['forSeconds'],
  'event-match': ['eventType', 'minSeverity', 'resolveAfterSeconds'],
};

/**
 * One rule of a draft, every kind of condition, checked by the contract's `Rule` schema as it is
 * typed (a field's error shows once the field was left, or on Preview). Preview replays the rule as
 * it stands, unsaved, over the last 24 h at `previewNodePath` (the whole fleet when unset).
 */
export function RuleEditor({
  form,
  onChange,
  onRemove,
  label,
  previewNodePath,
}: {
  form: RuleForm;
  onChange: (next: RuleForm) => void;
  onRemove: () => void;
  /** Names the rule's group: "Rule 2". */
  label: string;
  previewNodePath: string | undefined;
}) {
  const [touched, setTouched] = useState<ReadonlySet<RuleField>>(new Set());
  const [showAll, setShowAll] = useState(false);
  const [preview, setPreview] = useState<PreviewRuleInput | null>(null);
  const result = ruleFromForm(form);
  const errors = 'errors' in result ? result.errors : {};
  const errorOf = (field: RuleField) => (showAll || touched.has(field) ? errors[field] : undefined);
  const set = (patch: Partial<RuleForm>) => onChange({ ...form, ...patch });
  const touch = (field: RuleField) => setTouched((t) => (t.has(field) ? t : new Set(t).add(field)));
  const shown = new Set(KIND_FIELDS[form.kind]);
  const outdated =
    preview !== null &&
    ('rule' in result ? canonicalJson(result.rule) !== canonicalJson(preview.rule) : true);

  const runPreview = () => {
    setShowAll(true);
    if (!('rule' in result)) return;
    setPreview({ rule: result.rule, ...lastDay(), ...(previewNodePath && { nodePath: previewNodePath }) });
  };

  const text = (
    field: RuleField & keyof RuleForm,
    fieldLabel: string,
    extra: Partial<TextFieldProps> = {},
  ) => (
    <TextField
      label={fieldLabel}
      value={String(form[field])}
      error={errorOf(field)}
      onChange={(value) => set({ [field]: value })}
      onBlur={() => touch(field)}
      {...extra}
    />
  );

  return (
    <div className="rule-editor" role="group" aria-label={label} data-testid="rule-editor">
      <div className="rule-grid">
        {text('id', 'Rule id', { mono: true, hint: 'A-Z, a-z, 0-9, "_", "-"' })}
        {text('name', 'Rule name', { grow: true })}
        <SelectField
          label="Severity"
          value={form.severity}
          options={Severity.options}
          onChange={(severity) => set({ severity })}
        />
        <label className="switch">
          <input
            type="checkbox"
            role="switch"
            className="switch-input"
            checked={form.enabled}
            onChange={(e) => set({ enabled: e.target.checked })}
          />
          <span className="switch-track" aria-hidden="true" />
          <span>Enabled</span>
        </label>
      </div>
      <div className="rule-grid">
        <SelectField
          label="Kind"
          value={form.kind}
          options={RULE_KINDS.map((k) => k.kind)}
          optionLabel={(kind) => RULE_KINDS.find((k) => k.kind === kind)?.label ?? kind}
          onChange={(kind) => set({ kind })}
        />
        {shown.has('metric') &&
          text('metric', form.kind === 'no-data' ? 'Metric (empty: any)' : 'Metric', { mono: true })}
        {form.kind === 'threshold' && (
          <SelectField<ThresholdOperator>
            label="Operator"
            value={form.operator}
            options={THRESHOLD_OPERATORS}
            onChange={(operator) => set({ operator })}
          />
        )}
        {shown.has('value') && text('value', 'Value', { numeric: true })}
        {shown.has('perMinute') && text('perMinute', 'Change per minute', { numeric: true })}
        {shown.has('eventType') && text('eventType', 'Event type', { mono: true })}
        {shown.has('minSeverity') && (
          <SelectField
            label="Minimum severity"
            value={form.minSeverity}
            options={Severity.options}
            onChange={(minSeverity) => set({ minSeverity })}
          />
        )}
        {shown.has('forSeconds') && text('forSeconds', 'For (seconds)', { numeric: true })}
        {shown.has('hysteresis') &&
          text('hysteresis', 'Hysteresis', { numeric: true, hint: 'Resolves only this far back' })}
        {shown.has('resolveAfterSeconds') &&
          text('resolveAfterSeconds', 'Resolve after (seconds)', { numeric: true })}
      </div>
      <div className="rule-grid">
        {text('devicePattern', 'Device pattern', { mono: true, hint: 'Glob on the device id: *, ?' })}
        <TextField
          label="Labels"
          value={form.labels}
          multiline={2}
          mono
          grow
          hint="One key=value a line; a device must carry them all"
          error={errorOf('labels')}
          onChange={(labels) => set({ labels })}
          onBlur={() => touch('labels')}
        />
      </div>
      <div className="row-gap wrap">
        <button type="button" className="button" onClick={runPreview}>
          Preview last 24 h
        </button>
        <button type="button" className="button" onClick={onRemove}>
          Remove rule
        </button>
        {showAll && 'errors' in result && (
          <span className="field-error" role="alert">
            Fix the fields marked above to preview.
          </span>
        )}
      </div>
      {preview && <RulePreviewResult input={preview} outdated={outdated} />}
    </div>
  );
}
