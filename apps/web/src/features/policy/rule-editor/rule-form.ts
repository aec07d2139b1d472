import type { Severity } from '@tierscope/shared/domain';
import { Rule, type RuleCondition } from '@tierscope/shared/schemas';
import type { $ZodIssue } from 'zod/v4/core';

export type RuleKind = RuleCondition['kind'];
export type ThresholdOperator = Extract<RuleCondition, { kind: 'threshold' }>['operator'];

export const RULE_KINDS: readonly { kind: RuleKind; label: string }[] = [
  { kind: 'threshold', label: 'Threshold' },
  { kind: 'rate-of-change', label: 'Rate of change' },
  { kind: 'no-data', label: 'No data' },
  { kind: 'device-offline', label: 'Device offline' },
  { kind: 'event-match', label: 'Event match' },
];

export const THRESHOLD_OPERATORS: readonly ThresholdOperator[] = ['>', '>=', '<', '<='];

/**
 * A rule as its editor holds it: text as typed, durations in seconds, labels one `key=value` a line.
 * Every kind's fields are kept, so switching kinds and back loses nothing typed.
 */
export interface RuleForm {
  id: string;
  name: string;
  severity: Severity;
  enabled: boolean;
  devicePattern: string;
  labels: string;
  kind: RuleKind;
  metric: string;
  operator: ThresholdOperator;
  value: string;
  hysteresis: string;
  forSeconds: string;
  perMinute: string;
  eventType: string;
  minSeverity: Severity;
  resolveAfterSeconds: string;
}

/** A form field an error is shown beside. */
export type RuleField = Exclude<keyof RuleForm, 'enabled' | 'kind' | 'operator'>;
export type RuleErrors = Partial<Record<RuleField, string>>;

export const EMPTY_RULE_FORM: RuleForm = {
  id: '',
  name: '',
  severity: 'warning',
  enabled: true,
  devicePattern: '*',
  labels: '',
  kind: 'threshold',
  metric: '',
  operator: '>',
  value: '',
  hysteresis: '0',
  forSeconds: '0',
  perMinute: '',
  eventType: '',
  minSeverity: 'warning',
  resolveAfterSeconds: '300',
};

const seconds = (ms: number) => String(ms / 1000);

/** The form showing `rule`; fields of the other kinds keep their defaults. */
export function ruleFormFromRule(rule: Rule): RuleForm {
  const base: RuleForm = {
    ...EMPTY_RULE_FORM,
    id: rule.id,
    name: rule.name,
    severity: rule.severity,
    enabled: rule.enabled,
    devicePattern: rule.scope.devicePattern,
    labels: formatLabels(rule.scope.labels),
    kind: rule.condition.kind,
  };
  const c = rule.condition;
  switch (c.kind) {
    case 'threshold':
      return {
        ...base,
        metric: c.metric,
        operator: c.operator,
        value: String(c.value),
        hysteresis: String(c.hysteresis),
        forSeconds: seconds(c.forMs),
      };
    case 'rate-of-change':
      return { ...base, metric: c.metric, perMinute: String(c.perMinute), forSeconds: seconds(c.forMs) };
    case 'no-data':
      return { ...base, metric: c.metric ?? '', forSeconds: seconds(c.forMs) };
    case 'device-offline':
      return { ...base, forSeconds: seconds(c.forMs) };
    case 'event-match':
      return {
        ...base,
        eventType: c.eventType,
        minSeverity: c.minSeverity,
        resolveAfterSeconds: seconds(c.resolveAfterMs),
      };
  }
}

export type RuleFormResult = { rule: Rule } | { errors: RuleErrors };

/**
 * The form as a contract `Rule`, or an error per field: the typed text is parsed first (numbers,
 * label lines), then the whole rule is checked by the contract's own `Rule` schema.
 */
export function ruleFromForm(form: RuleForm): RuleFormResult {
  const errors: RuleErrors = {};
  const number = (field: RuleField & keyof RuleForm, scale = 1): number | undefined => {
    const text = String(form[field]).trim();
    if (text === '') return undefined;
    const parsed = Number(text);
    if (!Number.isFinite(parsed)) {
      errors[field] = 'Not a number.';
      return undefined;
    }
    // Durations are whole milliseconds; a value or a rate is kept exactly as typed.
    return scale === 1 ? parsed : Math.round(parsed * scale);
  };
  const labels = parseLabels(form.labels);
  if ('problem' in labels) errors.labels = labels.problem;

  const candidate = {
    id: form.id.trim(),
    name: form.name.trim(),
    severity: form.severity,
    enabled: form.enabled,
    scope: {
      devicePattern: form.devicePattern.trim() || '*',
      labels: 'labels' in labels ? labels.labels : {},
    },
    condition: conditionCandidate(form, number),
  };
  const parsed = Rule.safeParse(candidate);
  if (parsed.success && Object.keys(errors).length === 0) return { rule: parsed.data };
  if (!parsed.success)
    for (const issue of parsed.error.issues) {
      const field = fieldOfIssue(issue.path);
      if (field && !errors[field]) errors[field] = messageOfIssue(issue, field, form);
    }
  return { errors };
}

function conditionCandidate(
  form: RuleForm,
  number: (field: RuleField & keyof RuleForm, scale?: number) => number | undefined,
): unknown {
  const forMs = number('forSeconds', 1000);
  const metric = form.metric.trim();
  switch (form.kind) {
    case 'threshold':
      return {
        kind: 'threshold',
        metric,
        operator: form.operator,
        value: number('value'),
        hysteresis: number('hysteresis'),
        forMs: forMs ?? 0,
      };
    case 'rate-of-change':
      return { kind: 'rate-of-change', metric, perMinute: number('perMinute'), forMs: forMs ?? 0 };
    case 'no-data':
      return { kind: 'no-data', ...(metric !== '' && { metric }), forMs };
    case 'device-offline':
      return { kind: 'device-offline', forMs: forMs ?? 0 };
    case 'event-match':
      return {
        kind: 'event-match',
        eventType: form.eventType.trim(),
        minSeverity: form.minSeverity,
        resolveAfterMs: number('resolveAfterSeconds', 1000),
      };
  }
}

const CONDITION_FIELDS: Record<string, RuleField> = {
  metric: 'metric',
  value: 'value',
  hysteresis: 'hysteresis',
  forMs: 'forSeconds',
  perMinute: 'perMinute',
  eventType: 'eventType',
  minSeverity: 'minSeverity',
  resolveAfterMs: 'resolveAfterSeconds',
};

function fieldOfIssue(path: readonly PropertyKey[]): RuleField | undefined {
  const [head, next] = path;
  if (head === 'id' || head === 'name' || head === 'severity') return head;
  if (head === 'scope') return next === 'devicePattern' ? 'devicePattern' : 'labels';
  if (head === 'condition' && typeof next === 'string') return CONDITION_FIELDS[next];
  return undefined;
}

/** The schema's words, but in the form's units: durations are typed in seconds. */
function messageOfIssue(issue: $ZodIssue, field: RuleField, form: RuleForm): string {
  if (issue.code === 'invalid_type' && String(form[field]).trim() === '') return 'Required.';
  const inSeconds = field === 'forSeconds' || field === 'resolveAfterSeconds';
  if (inSeconds && issue.code === 'too_small') return `At least ${Number(issue.minimum) / 1000} s.`;
  if (inSeconds && issue.code === 'too_big') return `At most ${Number(issue.maximum) / 1000} s.`;
  return capitalize(issue.message);
}

const capitalize = (text: string) => (text ? `${text[0]!.toUpperCase()}${text.slice(1)}` : text);

/** `key=value`, one a line, keys sorted. */
export function formatLabels(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((key) => `${key}=${labels[key]}`)
    .join('\n');
}

/** Label lines as a record; blank lines are skipped, a key twice or a line without `=` is refused. */
export function parseLabels(text: string): { labels: Record<string, string> } | { problem: string } {
  const labels: Record<string, string> = {};
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const at = line.indexOf('=');
    if (at <= 0) return { problem: `Line ${index + 1}: write key=value.` };
    const key = line.slice(0, at).trim();
    if (key in labels) return { problem: `Line ${index + 1}: label ${key} is given twice.` };
    labels[key] = line.slice(at + 1).trim();
  }
  return { labels };
}
