import type { CommandParams, CommandParamSchema, CommandParamsSchema } from '@tierscope/shared/schemas';

/**
 * A declared command's parameters as form fields (docs/decisions/0024): each JSON Schema property
 * becomes one field whose text is checked here as the node's ajv will check it, so a typo is shown
 * beside its field before anything is sent. The node still checks what arrives.
 */
export interface ParamField {
  name: string;
  /** `choice` for a property with an `enum`: a select of its values. */
  control: 'text' | 'number' | 'checkbox' | 'choice';
  required: boolean;
  description: string | undefined;
  /** What the bounds allow, in words ("5 to 30"); undefined when there are none. */
  hint: string | undefined;
  /** The `enum` values as the select offers them. */
  options: string[];
}

/** What the user typed, by parameter name; a checkbox is "true" or "false". */
export type ParamValues = Record<string, string>;

export function paramFields(schema: CommandParamsSchema): ParamField[] {
  return Object.entries(schema.properties).map(([name, param]) => ({
    name,
    control: controlOf(param),
    required: schema.required.includes(name),
    description: param.description,
    hint: hintOf(param),
    options: (param.enum ?? []).map(String),
  }));
}

function controlOf(param: CommandParamSchema): ParamField['control'] {
  if (param.enum) return 'choice';
  if (param.type === 'boolean') return 'checkbox';
  return param.type === 'string' ? 'text' : 'number';
}

function hintOf(param: CommandParamSchema): string | undefined {
  const whole = param.type === 'integer' ? 'a whole number' : undefined;
  const [low, high] =
    param.type === 'string' ? [param.minLength, param.maxLength] : [param.minimum, param.maximum];
  const unit = param.type === 'string' ? ' characters' : '';
  const range =
    low !== undefined && high !== undefined
      ? `${low} to ${high}${unit}`
      : low !== undefined
        ? `at least ${low}${unit}`
        : high !== undefined
          ? `at most ${high}${unit}`
          : undefined;
  if (param.enum) return undefined;
  return [whole, range].filter(Boolean).join(', ') || undefined;
}

/** A fresh form: checkboxes off, an optional choice unset, a required one on its first value. */
export function initialParamValues(fields: readonly ParamField[]): ParamValues {
  return Object.fromEntries(
    fields.map((field) => [
      field.name,
      field.control === 'checkbox'
        ? 'false'
        : field.control === 'choice' && field.required
          ? (field.options[0] ?? '')
          : '',
    ]),
  );
}

export type ParamsReading =
  { ok: true; params: CommandParams } | { ok: false; errors: Record<string, string> };

/**
 * The params to send from what was typed, or an error per field. An empty optional field is left
 * out; numbers are read as numbers, an enum's value as the declared value it names.
 */
export function readParams(schema: CommandParamsSchema, values: ParamValues): ParamsReading {
  const params: CommandParams = {};
  const errors: Record<string, string> = {};
  for (const [name, param] of Object.entries(schema.properties)) {
    const text = (values[name] ?? '').trim();
    const required = schema.required.includes(name);
    if (text === '' && param.type !== 'boolean') {
      if (required) errors[name] = 'Required';
      continue;
    }
    const read = readParam(param, param.type === 'string' ? (values[name] ?? '') : text);
    if ('error' in read) errors[name] = read.error;
    else params[name] = read.value;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, params };
}

function readParam(param: CommandParamSchema, text: string): { value: unknown } | { error: string } {
  if (param.enum) {
    const value = param.enum.find((option) => String(option) === text);
    return value === undefined ? { error: `One of ${param.enum.join(', ')}` } : { value };
  }
  switch (param.type) {
    case 'boolean':
      return { value: text === 'true' };
    case 'string':
      if (param.minLength !== undefined && text.length < param.minLength)
        return { error: `At least ${param.minLength} characters` };
      if (param.maxLength !== undefined && text.length > param.maxLength)
        return { error: `At most ${param.maxLength} characters` };
      return { value: text };
    case 'number':
    case 'integer': {
      const value = Number(text);
      if (!Number.isFinite(value)) return { error: 'A number' };
      if (param.type === 'integer' && !Number.isInteger(value)) return { error: 'A whole number' };
      if (param.minimum !== undefined && value < param.minimum) return { error: `At least ${param.minimum}` };
      if (param.maximum !== undefined && value > param.maximum) return { error: `At most ${param.maximum}` };
      return { value };
    }
  }
}
