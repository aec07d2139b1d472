import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { describeError } from './errors.ts';
import { AuthFailure } from './session.ts';

const trpcError = (message: string, code: string, httpStatus: number) =>
  TRPCClientError.from({ error: { message, code: -32603, data: { code, httpStatus } } });

describe('describeError', () => {
  it('says which role a refused call needs', () => {
    expect(describeError(trpcError('this needs the operator role', 'FORBIDDEN', 403))).toEqual({
      title: 'Access refused',
      detail: 'Your role does not allow this: this needs the operator role. An admin can change your role.',
    });
  });

  it('passes on any other refusal as the server said it', () => {
    expect(describeError(trpcError('missing or wrong x-csrf-token', 'FORBIDDEN', 403)).detail).toBe(
      'missing or wrong x-csrf-token',
    );
  });

  it('names an ended session and an unreachable server', () => {
    expect(describeError(trpcError('log in first', 'UNAUTHORIZED', 401)).title).toBe(
      'Your session has ended',
    );
    expect(describeError(new AuthFailure('unreachable', 'no network')).title).toBe(
      'The console cannot reach the server',
    );
  });

  it('lists a refused input’s issues one a line, each with where it is', () => {
    const issues = [
      { code: 'custom', path: ['content', 'bundles', 0, 'target'], message: 'target: "**" or a node path' },
      { code: 'too_big', path: [], message: 'too many' },
    ];
    expect(describeError(trpcError(JSON.stringify(issues, null, 2), 'BAD_REQUEST', 400))).toEqual({
      title: 'The request was refused',
      detail: 'content.bundles[0].target: target: "**" or a node path\ntoo many',
    });
    expect(describeError(trpcError('rule hot: unknown metric', 'BAD_REQUEST', 400)).detail).toBe(
      'rule hot: unknown metric',
    );
  });
});
