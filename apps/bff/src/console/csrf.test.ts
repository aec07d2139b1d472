import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { csrfTokenFor, csrfTokenMatches } from './csrf.ts';

const sessionToken = () => randomBytes(32).toString('base64url');

describe('csrf tokens', () => {
  it('accepts the token of the same session', () => {
    const session = sessionToken();
    expect(csrfTokenMatches(session, csrfTokenFor(session))).toBe(true);
  });

  it("refuses another session's token, a missing one, a repeated header and a truncated one", () => {
    const session = sessionToken();
    const token = csrfTokenFor(session);
    expect(csrfTokenMatches(session, csrfTokenFor(sessionToken()))).toBe(false);
    expect(csrfTokenMatches(session, undefined)).toBe(false);
    expect(csrfTokenMatches(session, [token, token])).toBe(false);
    expect(csrfTokenMatches(session, token.slice(0, -1))).toBe(false);
  });
});
