import { NewPassword } from '@tierscope/shared/schemas';
import { describe, expect, it } from 'vitest';
import { generatePassword } from './generate-password.ts';

describe('generatePassword', () => {
  it('makes a password the server accepts, without look-alike characters', () => {
    const password = generatePassword();
    expect(password).toHaveLength(20);
    expect(NewPassword.safeParse(password).success).toBe(true);
    expect(password).not.toMatch(/[01OlI]/);
  });

  it('skips random bytes that would favour some letters', () => {
    // 57 letters: bytes from 228 up would wrap unevenly, so they are drawn again.
    let call = 0;
    const password = generatePassword(4, (bytes) => {
      bytes.fill(call++ === 0 ? 255 : 0);
    });
    expect(password).toBe('aaaa');
  });
});
