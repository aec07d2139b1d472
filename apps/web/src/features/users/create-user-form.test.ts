import { describe, expect, it } from 'vitest';
import { newUserInput } from './create-user-form.tsx';

describe('newUserInput', () => {
  it('turns the draft into the create input, names lower-cased and scope parsed', () => {
    expect(
      newUserInput({ name: 'Ana', role: 'viewer', scopeText: 'district-1', password: 'twelve chars!' }),
    ).toEqual({ input: { name: 'ana', role: 'viewer', scope: ['district-1'], password: 'twelve chars!' } });
  });

  it('says what is wrong before the server does', () => {
    const draft = { name: 'ana', role: 'viewer' as const, scopeText: '', password: 'long enough pw' };
    expect(newUserInput({ ...draft, name: 'no spaces allowed' })).toMatchObject({ problem: /^User name/ });
    expect(newUserInput({ ...draft, scopeText: '/abs' })).toMatchObject({ problem: /not a scope/ });
    expect(newUserInput({ ...draft, password: 'short' })).toMatchObject({ problem: /^First password/ });
  });
});
