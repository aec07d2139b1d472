/** Letters and digits without look-alikes (0/O, 1/l/I), so a password read out or retyped survives. */
const ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * A first or reset password for a user to replace at their first login: 20 characters from a
 * 57-letter alphabet (about 116 bits), from the browser's CSPRNG. Rejection sampling keeps it uniform.
 */
export function generatePassword(
  length = 20,
  random: (bytes: Uint8Array<ArrayBuffer>) => void = fill,
): string {
  const limit = 256 - (256 % ALPHABET.length);
  let out = '';
  const bytes = new Uint8Array(new ArrayBuffer(length * 2));
  while (out.length < length) {
    random(bytes);
    for (const byte of bytes) {
      if (byte < limit && out.length < length) out += ALPHABET[byte % ALPHABET.length];
    }
  }
  return out;
}

function fill(bytes: Uint8Array<ArrayBuffer>): void {
  crypto.getRandomValues(bytes);
}
