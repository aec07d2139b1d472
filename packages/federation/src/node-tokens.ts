import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/*
 * Node tokens. A token is a random secret (32 bytes, base64url); whoever verifies one stores only
 * its hash: a node keeps the hashes of the tokens its parents may call it with
 * (PARENT_TOKEN_HASHES), a parent keeps the hashes of its uplink children's tokens. The side that
 * presents a token (a parent calling a passive child, a child dialling an uplink) holds it.
 * Tokens are high-entropy, so one SHA-256 is the right hash: a slow password hash adds nothing.
 */

const HASH_PREFIX = 'sha256:';

export const TokenHash = z
  .string()
  .regex(
    /^sha256:[0-9a-f]{64}$/,
    'token hash: "sha256:" and 64 hex digits (npx tsx scripts/node-token.ts makes one)',
  );
export type TokenHash = z.infer<typeof TokenHash>;

export const NodeToken = z
  .string()
  .min(16, 'token: at least 16 characters')
  .max(512)
  .regex(/^\S+$/, 'token: no whitespace');

export function newNodeToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashNodeToken(token: string): TokenHash {
  return `${HASH_PREFIX}${createHash('sha256').update(token, 'utf8').digest('hex')}`;
}

/** True when `token` hashes to one of `hashes` (constant time per comparison). */
export function tokenMatches(hashes: readonly TokenHash[], token: string): boolean {
  const given = Buffer.from(hashNodeToken(token));
  let match = false;
  for (const hash of hashes) {
    const expected = Buffer.from(hash);
    if (expected.length === given.length && timingSafeEqual(expected, given)) match = true;
  }
  return match;
}

/** The bearer token of an `authorization` header, if it has one. */
export function bearerToken(header: string | readonly string[] | undefined): string | undefined {
  const raw = Array.isArray(header) ? (header as readonly string[])[0] : header;
  if (typeof raw !== 'string') return undefined;
  const match = /^Bearer (\S{1,512})$/.exec(raw);
  return match?.[1];
}

/** `PARENT_TOKEN_HASHES=sha256:…,sha256:…` (several, so a rotation can overlap). */
export const TokenHashList = z
  .string()
  .transform((raw) =>
    raw
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  )
  .pipe(z.array(TokenHash).max(16));

/**
 * The uplink children's token hashes, changeable at run time: rotating one child's token (or
 * revoking it) detaches only that child, whose next handshake must present the new token.
 */
export class ChildTokenRegistry {
  private readonly hashes = new Map<string, TokenHash>();
  /** The configured uplink children: a revoked one can be given a new token later. */
  private readonly known = new Set<string>();
  private readonly listeners = new Set<(childId: string) => void>();

  constructor(initial: Iterable<readonly [string, TokenHash]> = []) {
    for (const [id, hash] of initial) {
      this.hashes.set(id, hash);
      this.known.add(id);
    }
  }

  knows(childId: string): boolean {
    return this.known.has(childId);
  }

  verify = async (childId: string, token: string): Promise<boolean> => {
    const hash = this.hashes.get(childId);
    return hash !== undefined && tokenMatches([hash], token);
  };

  /** A new token for `childId`, returned once; its old token stops working at once. */
  rotate(childId: string): string {
    const token = newNodeToken();
    this.hashes.set(childId, hashNodeToken(token));
    this.changed(childId);
    return token;
  }

  revoke(childId: string): boolean {
    const had = this.hashes.delete(childId);
    if (had) this.changed(childId);
    return had;
  }

  /** Called with the child whose token changed (its live uplink must be dropped). */
  onChange(listener: (childId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(childId: string): void {
    for (const listener of this.listeners) listener(childId);
  }
}
