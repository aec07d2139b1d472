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

/** Whether a call's headers present one of `parentHashes` as a bearer token: a node answers only its parents. */
export function presentsParentToken(
  headers: { authorization?: string | readonly string[] | undefined },
  parentHashes: readonly TokenHash[],
): boolean {
  const token = bearerToken(headers.authorization);
  return token !== undefined && tokenMatches(parentHashes, token);
}

/** A comma-separated setting (`a, b,c`): its parts, trimmed, empty ones dropped; pipe it to their schema. */
export const CommaSeparated = z.string().transform((raw) =>
  raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== ''),
);

/** `PARENT_TOKEN_HASHES=sha256:…,sha256:…` (several, so a rotation can overlap). */
export const TokenHashList = CommaSeparated.pipe(z.array(TokenHash).max(16));

/** One child's token as changed at run time (a rotation, or a revocation: `hash` null). */
export interface ChildTokenChange {
  childId: string;
  hash: TokenHash | null;
  /**
   * The configured hash (UPLINK_CHILDREN) in force when the change was made: once the
   * configuration names another, the operator has decided since, and the configuration wins.
   */
  configuredHash: TokenHash;
}

/**
 * Where rotations and revocations are kept (the tier's own database), so a restart neither brings
 * back a revoked token nor forgets a rotated one.
 */
export interface ChildTokenStore {
  load(): Promise<ChildTokenChange[]>;
  save(change: ChildTokenChange): Promise<void>;
}

/** The table both tiers' migrations create for their ChildTokenStore. */
const CHILD_TOKENS_TABLE = 'child_token_changes';

/**
 * A ChildTokenStore over raw SQL (`$1…` parameters), for a tier whose migrations create
 * `child_token_changes (child_id text primary key, token_hash text, configured_hash text not null,
 * changed_at timestamptz not null)`.
 */
export function sqlChildTokenStore(
  exec: (text: string, params?: readonly unknown[]) => Promise<Array<Record<string, unknown>>>,
): ChildTokenStore {
  return {
    load: async () =>
      (
        await exec(
          `SELECT child_id, token_hash, configured_hash FROM ${CHILD_TOKENS_TABLE} ORDER BY child_id`,
        )
      ).map((row) => ({
        childId: String(row.child_id),
        hash: row.token_hash === null ? null : TokenHash.parse(row.token_hash),
        configuredHash: TokenHash.parse(row.configured_hash),
      })),
    save: async ({ childId, hash, configuredHash }) => {
      await exec(
        `INSERT INTO ${CHILD_TOKENS_TABLE} (child_id, token_hash, configured_hash, changed_at)
         VALUES ($1, $2, $3, now())
         ON CONFLICT (child_id) DO UPDATE
           SET token_hash = EXCLUDED.token_hash, configured_hash = EXCLUDED.configured_hash,
               changed_at = EXCLUDED.changed_at`,
        [childId, hash, configuredHash],
      );
    },
  };
}

/**
 * The uplink children's token hashes, changeable at run time: rotating one child's token (or
 * revoking it) detaches only that child, whose next handshake must present the new token. With a
 * store, each change is saved before it takes effect, and the store is the truth every replica of
 * the tier shares: `verify` reads it before each handshake, and `refresh` (at start, then every
 * few seconds while the tier runs) applies the changes made elsewhere, dropping those children's
 * sockets here too (docs/decisions/0017-two-bff-replicas.md).
 */
export class ChildTokenRegistry {
  private readonly hashes = new Map<string, TokenHash>();
  /** The configured uplink children and their configured hashes: a revoked one can be given a new token later. */
  private readonly configured = new Map<string, TokenHash>();
  private readonly listeners = new Set<(childId: string) => void>();
  /**
   * Reads and changes of the store run one at a time: a read that started before this process's
   * own change must not apply its older answer after it.
   */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    initial: Iterable<readonly [string, TokenHash]> = [],
    private readonly store?: ChildTokenStore,
  ) {
    for (const [id, hash] of initial) {
      this.hashes.set(id, hash);
      this.configured.set(id, hash);
    }
  }

  /**
   * Applies the saved changes (this process's, another replica's, an earlier run's) whose child is
   * still configured with the same hash; a change made under another configured hash (or for a
   * child no longer configured) is ignored. Children whose token changed are reported to
   * `onChange` listeners. Without a store there is nothing to read.
   */
  async refresh(): Promise<void> {
    const store = this.store;
    if (!store) return;
    const changed = await this.serially(async () => {
      const effective = new Map(this.configured);
      for (const change of await store.load()) {
        if (this.configured.get(change.childId) !== change.configuredHash) continue;
        if (change.hash === null) effective.delete(change.childId);
        else effective.set(change.childId, change.hash);
      }
      const ids: string[] = [];
      for (const id of this.configured.keys()) {
        const hash = effective.get(id);
        if (hash === this.hashes.get(id)) continue;
        if (hash === undefined) this.hashes.delete(id);
        else this.hashes.set(id, hash);
        ids.push(id);
      }
      return ids;
    });
    for (const id of changed) this.notify(id);
  }

  /**
   * Calls `refresh` every `intervalMs` until the returned function is called. A failed round
   * (the database away) is retried at the next; handshakes meanwhile fail, as `verify` reads the
   * store itself.
   */
  follow(intervalMs: number): () => void {
    if (!this.store) return () => undefined;
    const timer = setInterval(() => void this.refresh().catch(() => undefined), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  knows(childId: string): boolean {
    return this.configured.has(childId);
  }

  /** Checked against the store's latest state, so a change made by another replica counts at once. */
  verify = async (childId: string, token: string): Promise<boolean> => {
    await this.refresh();
    const hash = this.hashes.get(childId);
    return hash !== undefined && tokenMatches([hash], token);
  };

  /** A new token for `childId`, returned once; its old token stops working at once. */
  async rotate(childId: string): Promise<string> {
    const token = newNodeToken();
    await this.apply(childId, hashNodeToken(token));
    return token;
  }

  async revoke(childId: string): Promise<boolean> {
    // Another replica may have changed it since this one last looked.
    await this.refresh();
    if (!this.hashes.has(childId)) return false;
    await this.apply(childId, null);
    return true;
  }

  /** Called with the child whose token changed (its live uplink must be dropped). */
  onChange(listener: (childId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Saved first: a token handed out is never one a restart forgets. */
  private async apply(childId: string, hash: TokenHash | null): Promise<void> {
    const configuredHash = this.configured.get(childId);
    if (configuredHash === undefined) throw new Error(`${childId} is not an uplink child`);
    await this.serially(async () => {
      await this.store?.save({ childId, hash, configuredHash });
      if (hash === null) this.hashes.delete(childId);
      else this.hashes.set(childId, hash);
    });
    this.notify(childId);
  }

  private notify(childId: string): void {
    for (const listener of this.listeners) listener(childId);
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
