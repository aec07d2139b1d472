import { CommandParamsSchema } from '@tierscope/shared/schemas';
import { describe, expect, it } from 'vitest';
import { initialParamValues, paramFields, readParams } from './command-form.ts';

const schema = CommandParamsSchema.parse({
  type: 'object',
  properties: {
    seconds: { type: 'integer', minimum: 1, maximum: 3600, description: 'Seconds between messages' },
    celsius: { type: 'number', minimum: 5 },
    note: { type: 'string', maxLength: 5 },
    mode: { type: 'string', enum: ['eco', 'boost'] },
    level: { type: 'integer', enum: [1, 2, 3] },
    force: { type: 'boolean' },
  },
  required: ['seconds', 'mode'],
});

describe('paramFields', () => {
  it('makes a field per property, with its control, whether it is required and its bounds in words', () => {
    const fields = paramFields(schema);
    expect(fields.map((f) => [f.name, f.control, f.required, f.hint])).toEqual([
      ['seconds', 'number', true, 'a whole number, 1 to 3600'],
      ['celsius', 'number', false, 'at least 5'],
      ['note', 'text', false, 'at most 5 characters'],
      ['mode', 'choice', true, undefined],
      ['level', 'choice', false, undefined],
      ['force', 'checkbox', false, undefined],
    ]);
    expect(fields[0]?.description).toBe('Seconds between messages');
    expect(fields[4]?.options).toEqual(['1', '2', '3']);
  });

  it('starts a required choice on its first value, an optional one unset and a checkbox off', () => {
    expect(initialParamValues(paramFields(schema))).toEqual({
      seconds: '',
      celsius: '',
      note: '',
      mode: 'eco',
      level: '',
      force: 'false',
    });
  });
});

describe('readParams', () => {
  it('reads numbers as numbers and an enum value as the declared value, leaving empty optional fields out', () => {
    expect(
      readParams(schema, { seconds: ' 30 ', mode: 'boost', level: '2', force: 'true', note: '' }),
    ).toEqual({
      ok: true,
      params: { seconds: 30, mode: 'boost', level: 2, force: true },
    });
  });

  it('names each field at fault: missing, not a whole number, out of bounds, too long', () => {
    expect(
      readParams(schema, { seconds: '1.5', mode: '', celsius: '4', note: 'toolong', force: 'false' }),
    ).toEqual({
      ok: false,
      errors: {
        seconds: 'A whole number',
        mode: 'Required',
        celsius: 'At least 5',
        note: 'At most 5 characters',
      },
    });
    expect(readParams(schema, { seconds: 'ten', mode: 'eco' })).toMatchObject({
      errors: { seconds: 'A number' },
    });
    expect(readParams(schema, { seconds: '4000', mode: 'turbo' })).toMatchObject({
      errors: { seconds: 'At most 3600', mode: 'One of eco, boost' },
    });
  });

  it('sends no params for a command that declares none', () => {
    expect(readParams(CommandParamsSchema.parse({ type: 'object' }), {})).toEqual({ ok: true, params: {} });
  });
});
