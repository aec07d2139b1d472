import { describe, expect, it } from 'vitest';
import { CommandDeclarations, type CommandDeclaration } from '@tierscope/shared';
import { CommandCheck, declarationProblem } from './command-check.ts';

const declarations = CommandDeclarations.parse({
  pump: {
    'set-speed': {
      params: {
        type: 'object',
        properties: { rpm: { type: 'integer', minimum: 0, maximum: 3000 } },
        required: ['rpm'],
      },
    },
    reboot: {},
  },
});

describe('CommandCheck', () => {
  const check = new CommandCheck(() => declarations);

  it('passes a declared command whose params fit its schema', () => {
    expect(check.check('pump', 'set-speed', { rpm: 1200 })).toEqual({ rpm: 1200 });
    expect(check.check('pump', 'reboot', {})).toEqual({});
  });

  it('refuses params out of bounds or unknown, naming each fault', () => {
    expect(() => check.check('pump', 'set-speed', { rpm: 5000, mode: 'x' })).toThrow(
      'command "set-speed" refused: params must NOT have additional properties ("mode"); params.rpm must be <= 3000',
    );
  });

  it('refuses a command the kind does not declare, listing what it takes, and any for a kind with none', () => {
    expect(() => check.check('pump', 'explode', {})).toThrow(
      'devices of kind "pump" take no command "explode"; they take: reboot, set-speed',
    );
    expect(() => check.check('', 'reboot', {})).toThrow(
      'devices of kind "" take no commands (the policy declares none for them)',
    );
  });

  it('finds a params schema ajv cannot compile', () => {
    const broken = {
      description: '',
      params: { type: 'object', properties: { n: { type: 'integer', minimum: 'ten' } } },
    } as unknown as CommandDeclaration;
    expect(declarationProblem(broken)).toMatch(/minimum/);
    expect(declarationProblem(declarations.pump!['set-speed']!)).toBeUndefined();
  });
});
