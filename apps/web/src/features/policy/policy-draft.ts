import { PolicyContent, type PolicyBundle } from '@tierscope/shared/schemas';
import { formatIssuePath } from '../../lib/errors.ts';
import { EMPTY_RULE_FORM, ruleFormFromRule, ruleFromForm, type RuleForm } from './rule-editor/rule-form.ts';

/** One rule being edited; `key` keeps its editor's identity while rules are added and removed. */
export interface RuleDraft {
  key: string;
  form: RuleForm;
}

/**
 * A bundle as the draft editor holds it: text as typed. Routes and silences are edited as JSON, the
 * contract checks them on publish; declared metrics are separated by commas or spaces.
 */
export interface BundleDraft {
  key: string;
  name: string;
  target: string;
  rules: RuleDraft[];
  declaredMetrics: string;
  routes: string;
  silences: string;
  rawDays: string;
  rollupDays: string;
  unknownDevices: '' | 'register' | 'reject';
}

export interface PolicyDraft {
  /** The version the draft started from; null for an empty start. */
  baseVersion: number | null;
  bundles: BundleDraft[];
}

let lastKey = 0;
/** A key unique within this tab, also against the keys of a draft kept from before a reload. */
export const newDraftKey = () => `draft-${Date.now().toString(36)}-${++lastKey}`;

export const newRuleDraft = (form: RuleForm = EMPTY_RULE_FORM): RuleDraft => ({ key: newDraftKey(), form });

export function newBundleDraft(): BundleDraft {
  return {
    key: newDraftKey(),
    name: '',
    target: '**',
    rules: [],
    declaredMetrics: '',
    routes: '[]',
    silences: '[]',
    rawDays: '',
    rollupDays: '',
    unknownDevices: '',
  };
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** The draft that edits `content` (a version's), or an empty one. */
export function draftFromContent(content: PolicyContent | null, baseVersion: number | null): PolicyDraft {
  return {
    baseVersion,
    bundles: (content?.bundles ?? []).map((bundle) => ({
      key: newDraftKey(),
      name: bundle.name,
      target: bundle.target,
      rules: bundle.rules.map((rule) => newRuleDraft(ruleFormFromRule(rule))),
      declaredMetrics: bundle.declaredMetrics.join(', '),
      routes: json(bundle.routes),
      silences: json(bundle.silences),
      rawDays: bundle.retention.rawDays === undefined ? '' : String(bundle.retention.rawDays),
      rollupDays: bundle.retention.rollupDays === undefined ? '' : String(bundle.retention.rollupDays),
      unknownDevices: bundle.unknownDevices ?? '',
    })),
  };
}

/** One thing wrong with a draft: where, in the words of the editor, and why. */
export interface DraftProblem {
  where: string;
  message: string;
}

export type DraftResult = { content: PolicyContent } | { problems: DraftProblem[] };

/**
 * The draft as the content `policy.publish` takes, or every problem found: each rule through the
 * rule form, the JSON fields parsed, then the whole content through the contract's schema.
 */
export function contentFromDraft(draft: PolicyDraft): DraftResult {
  const problems: DraftProblem[] = [];
  const bundles = draft.bundles.map((bundle, index) => {
    const where = bundleLabel(bundle, index);
    const rules = bundle.rules.flatMap((rule, ruleIndex) => {
      const result = ruleFromForm(rule.form);
      if ('rule' in result) return [result.rule];
      for (const [field, message] of Object.entries(result.errors))
        problems.push({ where: `${where}, ${ruleLabel(rule.form, ruleIndex)}, ${field}`, message });
      return [];
    });
    const jsonField = (field: 'routes' | 'silences') => {
      const text = bundle[field].trim();
      if (text === '') return [];
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        problems.push({ where: `${where}, ${field}`, message: `Not JSON: ${(error as Error).message}` });
        return [];
      }
    };
    const days = (text: string) => (text.trim() === '' ? undefined : Number(text.trim()));
    return {
      name: bundle.name.trim(),
      target: bundle.target.trim(),
      rules,
      silences: jsonField('silences'),
      routes: jsonField('routes'),
      retention: definedOnly({ rawDays: days(bundle.rawDays), rollupDays: days(bundle.rollupDays) }),
      ...(bundle.unknownDevices !== '' && { unknownDevices: bundle.unknownDevices }),
      declaredMetrics: splitList(bundle.declaredMetrics),
    };
  });
  const parsed = PolicyContent.safeParse({ bundles });
  if (!parsed.success)
    for (const issue of parsed.error.issues) {
      const [, index, ...rest] = issue.path;
      const bundle = typeof index === 'number' ? draft.bundles[index] : undefined;
      problems.push({
        where: bundle
          ? [bundleLabel(bundle, Number(index)), formatIssuePath(rest)].filter(Boolean).join(', ')
          : 'Policy',
        message: issue.message,
      });
    }
  return problems.length > 0 || !parsed.success ? { problems } : { content: parsed.data };
}

export function bundleLabel(bundle: Pick<BundleDraft, 'name'>, index: number): string {
  return `Bundle ${index + 1}${bundle.name.trim() ? ` “${bundle.name.trim()}”` : ''}`;
}

function ruleLabel(form: RuleForm, index: number): string {
  return `rule ${index + 1}${form.id.trim() ? ` (${form.id.trim()})` : ''}`;
}

function splitList(text: string): string[] {
  return text.split(/[\s,]+/).filter((item) => item !== '');
}

function definedOnly<T extends object>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/**
 * The node a preview of a bundle's rule asks: the target's node path, or the whole fleet (unset)
 * for `**`.
 */
export function previewNodePath(target: PolicyBundle['target']): string | undefined {
  const trimmed = target.trim();
  if (trimmed === '**' || trimmed === '') return undefined;
  return trimmed.replace(/\/\*\*$/, '');
}
