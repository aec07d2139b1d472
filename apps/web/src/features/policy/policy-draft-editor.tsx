import {
  bundleLabel,
  newBundleDraft,
  newRuleDraft,
  previewNodePath,
  type BundleDraft,
  type PolicyDraft,
} from './policy-draft.ts';
import { SelectField, TextField } from '../../components/ui/form-fields.tsx';
import { RuleEditor } from './rule-editor/rule-editor.tsx';
import { ruleFromForm } from './rule-editor/rule-form.ts';

const UNKNOWN_DEVICE_CHOICES = ['', 'register', 'reject'] as const;
const UNKNOWN_DEVICE_LABELS = { '': 'Leave each node’s setting', register: 'Register', reject: 'Reject' };

const RETENTION_FIELDS = [
  { field: 'rawDays', label: 'Raw samples kept (days)' },
  { field: 'rollupDays', label: 'Rollups kept (days)' },
] as const;

/** Routes and silences are edited as JSON; the contract checks them when the draft is published. */
const JSON_FIELDS = [
  {
    field: 'routes',
    label: 'Routes (JSON)',
    hint: 'Webhooks: [{"id": "ops", "url": "https://…", "minSeverity": "warning"}]; each node still sends only where its allowlist allows',
  },
  {
    field: 'silences',
    label: 'Silences (JSON)',
    hint: '[{"id": "night", "kind": "maintenance", "matchers": {"nodePath": "…"}, "startsAt": ms, "endsAt": ms}]',
  },
] as const;

/** Edits every bundle of a draft: its target, rules, declared metrics, routes, silences and retention. */
export function PolicyDraftEditor({
  draft,
  onChange,
}: {
  draft: PolicyDraft;
  onChange: (next: PolicyDraft) => void;
}) {
  const setBundle = (key: string, next: BundleDraft) =>
    onChange({ ...draft, bundles: draft.bundles.map((b) => (b.key === key ? next : b)) });
  return (
    <div className="stack">
      {draft.bundles.length === 0 && (
        <p className="muted">No bundles: publishing this draft clears the fleet’s policy.</p>
      )}
      {draft.bundles.map((bundle, index) => (
        <BundleEditor
          key={bundle.key}
          bundle={bundle}
          label={bundleLabel(bundle, index)}
          onChange={(next) => setBundle(bundle.key, next)}
          onRemove={() => onChange({ ...draft, bundles: draft.bundles.filter((b) => b.key !== bundle.key) })}
        />
      ))}
      <div>
        <button
          type="button"
          className="button"
          onClick={() => onChange({ ...draft, bundles: [...draft.bundles, newBundleDraft()] })}
        >
          Add bundle
        </button>
      </div>
    </div>
  );
}

function BundleEditor({
  bundle,
  label,
  onChange,
  onRemove,
}: {
  bundle: BundleDraft;
  label: string;
  onChange: (next: BundleDraft) => void;
  onRemove: () => void;
}) {
  const set = (patch: Partial<BundleDraft>) => onChange({ ...bundle, ...patch });
  const nodePath = previewNodePath(bundle.target);
  return (
    <section className="bundle-editor" aria-label={label} data-testid="bundle-editor">
      <div className="row-gap wrap bundle-head">
        <h3>{label}</h3>
        <button type="button" className="button" onClick={onRemove}>
          Remove bundle
        </button>
      </div>
      <div className="rule-grid">
        <TextField label="Bundle name" value={bundle.name} grow onChange={(name) => set({ name })} />
        <TextField
          label="Target"
          value={bundle.target}
          mono
          grow
          hint='"**" every node, "district-1/**" a subtree, "district-1/probe-a" one node'
          onChange={(target) => set({ target })}
        />
      </div>
      <h4>Rules</h4>
      {bundle.rules.length === 0 && <p className="muted">No rules in this bundle.</p>}
      <ol className="plain-list rule-list">
        {bundle.rules.map((rule, index) => {
          const checked = ruleFromForm(rule.form);
          return (
            <li key={rule.key}>
              <div className="rule-card">
                <p className="rule-card-title">
                  <span className="mono">{rule.form.id || 'new rule'}</span> {rule.form.name}{' '}
                  <span className="muted">
                    · {rule.form.kind} · {rule.form.severity}
                    {!rule.form.enabled && ' · disabled'}
                    {'errors' in checked && ' · needs fixing'}
                  </span>
                </p>
                <RuleEditor
                  label={`Rule ${index + 1}`}
                  form={rule.form}
                  previewNodePath={nodePath}
                  onChange={(form) =>
                    set({ rules: bundle.rules.map((r) => (r.key === rule.key ? { ...r, form } : r)) })
                  }
                  onRemove={() => set({ rules: bundle.rules.filter((r) => r.key !== rule.key) })}
                />
              </div>
            </li>
          );
        })}
      </ol>
      <div>
        <button
          type="button"
          className="button"
          onClick={() => set({ rules: [...bundle.rules, newRuleDraft()] })}
        >
          Add rule
        </button>
      </div>
      <h4>Settings</h4>
      <div className="rule-grid">
        <TextField
          label="Declared metrics"
          value={bundle.declaredMetrics}
          mono
          grow
          hint="Metrics the rules may name before any device sent them; commas or spaces between"
          onChange={(declaredMetrics) => set({ declaredMetrics })}
        />
        {RETENTION_FIELDS.map(({ field, label }) => (
          <TextField
            key={field}
            label={label}
            value={bundle[field]}
            numeric
            hint="Empty: each node’s own"
            onChange={(value) => set({ [field]: value })}
          />
        ))}
        <SelectField
          label="Unknown devices"
          value={bundle.unknownDevices}
          options={UNKNOWN_DEVICE_CHOICES}
          optionLabel={(choice) => UNKNOWN_DEVICE_LABELS[choice]}
          onChange={(unknownDevices) => set({ unknownDevices })}
        />
      </div>
      <div className="rule-grid">
        {JSON_FIELDS.map(({ field, label, hint }) => (
          <TextField
            key={field}
            label={label}
            value={bundle[field]}
            mono
            grow
            multiline={5}
            hint={hint}
            onChange={(value) => set({ [field]: value })}
          />
        ))}
      </div>
    </section>
  );
}
