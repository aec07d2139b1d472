import type { CommandDeclaration, CommandParams } from '@tierscope/shared/schemas';
import { useMemo, useState } from 'react';
import { initialParamValues, paramFields, readParams, type ParamValues } from './command-form.ts';

/**
 * The command being written: which of `commands` (a kind's, by name) and its parameters as typed.
 * `read()` gives the params to send, or marks the fields at fault and gives undefined.
 */
export function useCommandDraft(commands: Record<string, CommandDeclaration>) {
  const names = useMemo(() => Object.keys(commands).sort(), [commands]);
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const name = chosen !== undefined && chosen in commands ? chosen : names[0];
  const declaration = name === undefined ? undefined : commands[name];
  const fields = useMemo(() => (declaration ? paramFields(declaration.params) : []), [declaration]);
  const [typed, setTyped] = useState<{ name: string | undefined; values: ParamValues }>({
    name: undefined,
    values: {},
  });
  const values = typed.name === name ? typed.values : initialParamValues(fields);
  const [errors, setErrors] = useState<Record<string, string>>({});

  return {
    names,
    name,
    declaration,
    fields,
    values,
    errors,
    choose: (next: string) => {
      setChosen(next);
      setErrors({});
    },
    setValue: (param: string, value: string) => {
      setTyped({ name, values: { ...values, [param]: value } });
      setErrors(({ [param]: _fixed, ...rest }) => rest);
    },
    read: (): CommandParams | undefined => {
      if (!declaration) return undefined;
      const reading = readParams(declaration.params, values);
      setErrors(reading.ok ? {} : reading.errors);
      return reading.ok ? reading.params : undefined;
    },
    reset: () => {
      setTyped({ name: undefined, values: {} });
      setErrors({});
    },
  };
}
export type CommandDraft = ReturnType<typeof useCommandDraft>;
