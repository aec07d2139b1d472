import { Ajv, type ValidateFunction } from 'ajv';
import {
  BadRequestError,
  type CommandDeclaration,
  type CommandDeclarations,
  type CommandParams,
} from '@tierscope/shared';

const MAX_ERRORS_LISTED = 5;

/**
 * Checks commands against the declarations of the policy in force: the device's kind must declare
 * the command, and its params must satisfy the declared JSON Schema (ajv). Compiled schemas are kept
 * per declaration, so a new policy compiles afresh and an unchanged one costs nothing.
 */
export class CommandCheck {
  readonly #ajv = new Ajv({ allErrors: true, strict: true });
  readonly #compiled = new WeakMap<CommandDeclaration, ValidateFunction>();

  constructor(private readonly declarations: () => CommandDeclarations) {}

  /** The declarations in force now, by kind then command name. */
  declared(): CommandDeclarations {
    return this.declarations();
  }

  /** Throws BadRequestError saying what is wrong; returns the params as checked. */
  check(kind: string, name: string, params: CommandParams): CommandParams {
    const ofKind = this.declarations()[kind] ?? {};
    const declaration = ofKind[name];
    if (declaration === undefined) {
      const known = Object.keys(ofKind).sort();
      throw new BadRequestError(
        known.length === 0
          ? `devices of kind "${kind}" take no commands (the policy declares none for them)`
          : `devices of kind "${kind}" take no command "${name}"; they take: ${known.join(', ')}`,
      );
    }
    const validate = this.validatorOf(declaration);
    if (!validate(params)) {
      const errors = (validate.errors ?? []).slice(0, MAX_ERRORS_LISTED).map((error) => {
        const at = error.instancePath === '' ? 'params' : `params${error.instancePath.replaceAll('/', '.')}`;
        const extra =
          'additionalProperty' in error.params ? ` ("${String(error.params.additionalProperty)}")` : '';
        return `${at} ${error.message ?? 'is invalid'}${extra}`;
      });
      throw new BadRequestError(`command "${name}" refused: ${errors.join('; ')}`);
    }
    return params;
  }

  private validatorOf(declaration: CommandDeclaration): ValidateFunction {
    let validate = this.#compiled.get(declaration);
    if (validate === undefined) {
      validate = this.#ajv.compile(declaration.params);
      this.#compiled.set(declaration, validate);
    }
    return validate;
  }
}

/** Why a declaration's params schema cannot be compiled, or undefined: checked before a policy activates. */
export function declarationProblem(declaration: CommandDeclaration): string | undefined {
  try {
    new Ajv({ strict: true }).compile(declaration.params);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
