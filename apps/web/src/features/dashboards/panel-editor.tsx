import { PANEL_KINDS, type Panel } from '@tierscope/shared/schemas';
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import {
  AGGREGATIONS,
  GROUPING_LABELS,
  PANEL_KIND_LABELS,
  panelOfDraft,
  type PanelDraft,
} from './panel-draft.ts';

function Field({ label, children, grow = false }: { label: string; children: ReactNode; grow?: boolean }) {
  return (
    <label className={grow ? 'field grow' : 'field'}>
      <span>{label}</span>
      {children}
    </label>
  );
}

/**
 * A panel's title, kind and fleet query: metric, aggregation, grouping and which devices (kind,
 * site, subtree, labels, device pattern); a single stat's warning and critical thresholds.
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
  const metricListId = useId();
  const set = (patch: Partial<PanelDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const text = (
    key: keyof PanelDraft,
    label: string,
    props: { placeholder?: string; mono?: boolean } = {},
  ) => (
    <Field label={label}>
      <input
        className={props.mono ? 'input mono' : 'input'}
        value={draft[key] as string}
        placeholder={props.placeholder}
        spellCheck={false}
        autoCapitalize="off"
        onChange={(e) => set({ [key]: e.target.value })}
      />
    </Field>
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const checked = panelOfDraft(draft);
    if ('panel' in checked) onSave(checked.panel);
    else setProblems(checked.problems);
  };
  return (
    <form className="panel panel-editor" aria-label="Panel editor" onSubmit={submit} noValidate>
      <div className="panel-body toolbar admin-form">
        <Field label="Title" grow>
          <input
            className="input"
            value={draft.title}
            maxLength={120}
            onChange={(e) => set({ title: e.target.value })}
          />
        </Field>
        <Field label="Kind">
          <select
            className="input"
            value={draft.kind}
            onChange={(e) => set({ kind: e.target.value as PanelDraft['kind'] })}
          >
            {PANEL_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {PANEL_KIND_LABELS[kind]}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Metric">
          <input
            className="input mono"
            list={metricListId}
            value={draft.metric}
            spellCheck={false}
            autoCapitalize="off"
            onChange={(e) => set({ metric: e.target.value })}
          />
        </Field>
        <datalist id={metricListId}>
          {metrics.map((metric) => (
            <option key={metric} value={metric} />
          ))}
        </datalist>
        <Field label="Aggregation">
          <select
            className="input"
            value={draft.aggregation}
            onChange={(e) => set({ aggregation: e.target.value as PanelDraft['aggregation'] })}
          >
            {AGGREGATIONS.map((aggregation) => (
              <option key={aggregation} value={aggregation}>
                {aggregation}
              </option>
            ))}
          </select>
        </Field>
        {draft.kind !== 'stat' && (
          <Field label="Group">
            <select
              className="input"
              value={draft.groupBy}
              onChange={(e) => set({ groupBy: e.target.value as PanelDraft['groupBy'] })}
            >
              {(Object.keys(GROUPING_LABELS) as PanelDraft['groupBy'][]).map((by) => (
                <option key={by} value={by}>
                  {GROUPING_LABELS[by]}
                </option>
              ))}
            </select>
          </Field>
        )}
        {draft.kind !== 'stat' && draft.groupBy === 'label' && text('label', 'Label key', { mono: true })}
        {draft.kind !== 'stat' && draft.groupBy === 'top' && (
          <Field label="Top devices">
            <input
              className="input"
              type="number"
              min={1}
              max={100}
              value={draft.topLimit}
              onChange={(e) => set({ topLimit: e.target.value })}
            />
          </Field>
        )}
        {text('kindFilter', 'Device kind', { placeholder: 'any' })}
        {text('site', 'Site', { placeholder: 'any' })}
        {text('nodePath', 'Subtree', { placeholder: 'whole fleet', mono: true })}
        {text('devicePattern', 'Device pattern', { placeholder: 'boiler-*', mono: true })}
        {text('labels', 'Labels', { placeholder: 'floor=2, zone=a', mono: true })}
        {text('unit', 'Unit')}
        {draft.kind === 'stat' && (
          <>
            {text('warning', 'Warning from')}
            {text('critical', 'Critical from')}
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
