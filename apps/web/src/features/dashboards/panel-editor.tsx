import { PANEL_KINDS, type Panel } from '@tierscope/shared/schemas';
import { useState, type FormEvent } from 'react';
import { SelectField, TextField } from '../../components/ui/form-fields.tsx';
import {
  AGGREGATIONS,
  GROUPING_LABELS,
  PANEL_KIND_LABELS,
  panelOfDraft,
  type PanelDraft,
} from './panel-draft.ts';

const GROUPINGS = Object.keys(GROUPING_LABELS) as PanelDraft['groupBy'][];

/**
 * A panel's title, kind and fleet query: metric, aggregation, grouping and which devices (kind,
 * site, subtree, labels, device pattern); a single stat's warning and critical thresholds. Each
 * control is named by its own label only (the shared form fields), never by the options it holds.
 */
export function PanelEditor({
  initial,
  metrics,
  onSave,
  onCancel,
}: {
  initial: PanelDraft;
  /** Metric names to suggest. */
  metrics: readonly string[];
  onSave: (panel: Panel) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState(initial);
  const [problems, setProblems] = useState<string[]>([]);
  const set = (patch: Partial<PanelDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const text = (
    key: 'kindFilter' | 'site' | 'nodePath' | 'devicePattern' | 'labels' | 'unit' | 'warning' | 'critical',
    label: string,
    props: { placeholder?: string; mono?: boolean; numeric?: boolean } = {},
  ) => <TextField label={label} value={draft[key]} onChange={(value) => set({ [key]: value })} {...props} />;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const checked = panelOfDraft(draft);
    if ('panel' in checked) onSave(checked.panel);
    else setProblems(checked.problems);
  };
  return (
    <form className="panel panel-editor" aria-label="Panel editor" onSubmit={submit} noValidate>
      <div className="panel-body toolbar admin-form">
        <TextField
          label="Title"
          grow
          maxLength={120}
          value={draft.title}
          onChange={(title) => set({ title })}
        />
        <SelectField
          label="Kind"
          value={draft.kind}
          options={PANEL_KINDS}
          optionLabel={(kind) => PANEL_KIND_LABELS[kind]}
          onChange={(kind) => set({ kind })}
        />
        <TextField
          label="Metric"
          mono
          value={draft.metric}
          suggestions={metrics}
          onChange={(metric) => set({ metric })}
        />
        <SelectField
          label="Aggregation"
          value={draft.aggregation}
          options={AGGREGATIONS}
          onChange={(aggregation) => set({ aggregation })}
        />
        {draft.kind !== 'stat' && (
          <SelectField
            label="Group"
            value={draft.groupBy}
            options={GROUPINGS}
            optionLabel={(by) => GROUPING_LABELS[by]}
            onChange={(groupBy) => set({ groupBy })}
          />
        )}
        {draft.kind !== 'stat' && draft.groupBy === 'label' && (
          <TextField label="Label key" mono value={draft.label} onChange={(label) => set({ label })} />
        )}
        {draft.kind !== 'stat' && draft.groupBy === 'top' && (
          <TextField
            label="Top devices"
            numeric
            value={draft.topLimit}
            onChange={(topLimit) => set({ topLimit })}
          />
        )}
        {text('kindFilter', 'Device kind', { placeholder: 'any' })}
        {text('site', 'Site', { placeholder: 'any' })}
        {text('nodePath', 'Subtree', { placeholder: 'whole fleet', mono: true })}
        {text('devicePattern', 'Device pattern', { placeholder: 'boiler-*', mono: true })}
        {text('labels', 'Labels', { placeholder: 'floor=2, zone=a', mono: true })}
        {text('unit', 'Unit')}
        {draft.kind === 'stat' && (
          <>
            {text('warning', 'Warning from', { numeric: true })}
            {text('critical', 'Critical from', { numeric: true })}
          </>
        )}
        {problems.length > 0 && (
          <ul className="field-error full-width" role="alert">
            {problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        )}
        <div className="full-width toolbar">
          <button type="submit" className="button" data-variant="primary">
            Apply panel
          </button>
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </div>
    </form>
  );
}
