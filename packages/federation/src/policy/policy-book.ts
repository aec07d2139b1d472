import {
  BadRequestError,
  NotFoundError,
  POLICY_VERSIONS_LISTED,
  PolicyContent,
  PolicyVersion,
  type Actor,
  type PolicyDocument,
  type PolicyVersionSummary,
  type RolloutPhase,
} from '@tierscope/shared';
import { policyHash } from './policy-hash.ts';

type Exec = (text: string, params?: readonly unknown[]) => Promise<Array<Record<string, unknown>>>;

/** Where a tier keeps the versions it authored: its database's `policy_versions` table. */
export interface PolicyVersionStore {
  /** Every version, oldest first. */
  all(): Promise<PolicyVersion[]>;
  /** The newest version's number and phase: what tells a cached book it is behind. */
  head(): Promise<{ version: number; phase: string } | null>;
  /** Stores `version` unless its number is taken (another replica published first): then false. */
  insert(version: PolicyVersion): Promise<boolean>;
  /** Moves a version out of `canary`; false when it had already left it. */
  leaveCanary(
    version: number,
    phase: Exclude<RolloutPhase, 'canary'>,
    reason: string | null,
  ): Promise<boolean>;
}

export function sqlPolicyVersionStore(exec: Exec): PolicyVersionStore {
  return {
    all: async () =>
      (
        await exec(
          `SELECT version, hash, content, comment, published_by, published_at, canaries, canary_hold_ms,
                  phase, halt_reason, rollback_of, previous_version
             FROM policy_versions ORDER BY version`,
        )
      ).map((row) =>
        PolicyVersion.parse({
          author: '',
          version: Number(row.version),
          hash: row.hash,
          content: row.content,
          comment: row.comment,
          publishedBy: row.published_by,
          publishedAt: Number(row.published_at),
          canaries: row.canaries,
          canaryHoldMs: Number(row.canary_hold_ms),
          phase: row.phase,
          haltReason: row.halt_reason,
          rollbackOf: row.rollback_of === null ? null : Number(row.rollback_of),
          previousVersion: row.previous_version === null ? null : Number(row.previous_version),
        }),
      ),
    head: async () => {
      const [row] = await exec(`SELECT version, phase FROM policy_versions ORDER BY version DESC LIMIT 1`);
      return row ? { version: Number(row.version), phase: String(row.phase) } : null;
    },
    insert: async (v) =>
      (
        await exec(
          `INSERT INTO policy_versions (version, hash, content, comment, published_by, published_at, canaries,
             canary_hold_ms, phase, halt_reason, rollback_of, previous_version)
           VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12)
           ON CONFLICT (version) DO NOTHING RETURNING version`,
          [
            v.version,
            v.hash,
            JSON.stringify(v.content),
            v.comment,
            v.publishedBy,
            v.publishedAt,
            JSON.stringify(v.canaries),
            v.canaryHoldMs,
            v.phase,
            v.haltReason,
            v.rollbackOf,
            v.previousVersion,
          ],
        )
      ).length === 1,
    leaveCanary: async (version, phase, reason) =>
      (
        await exec(
          `UPDATE policy_versions SET phase = $2, halt_reason = $3
            WHERE version = $1 AND phase = 'canary' RETURNING version`,
          [version, phase, reason],
        )
      ).length === 1,
  };
}

export interface PublishRequest {
  content: PolicyContent;
  comment: string;
  canaries: readonly string[];
  canaryHoldMs: number;
  rollbackOf?: number;
}

/**
 * The versions one tier authored, immutable once published: kept in its database and cached here
 * (`refresh` reads what another replica published). The current version is the newest; while it
 * is with its canaries the other nodes keep `previousVersion`, the one they ran before.
 */
export class PolicyBook {
  private versions: PolicyVersion[] = [];

  constructor(
    readonly author: string,
    private readonly store: PolicyVersionStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reads the versions back when the newest differs from the cached one; true when it did. */
  async refresh(): Promise<boolean> {
    const head = await this.store.head();
    const cached = this.current();
    if (head?.version === cached?.version && head?.phase === cached?.phase) return false;
    this.versions = (await this.store.all()).map((v) => ({ ...v, author: this.author }));
    return true;
  }

  current(): PolicyVersion | undefined {
    return this.versions.at(-1);
  }

  list(): PolicyVersionSummary[] {
    return this.versions.slice(-POLICY_VERSIONS_LISTED).reverse().map(summaryOf);
  }

  get(version: number): PolicyVersion {
    const found = this.versions.find((v) => v.version === version);
    if (!found) throw new NotFoundError(`${this.author} has no policy version ${version}`);
    return found;
  }

  /** A new version; a canary-less one (and every rollback) is released to every node at once. */
  async publish(request: PublishRequest, actor: Actor): Promise<PolicyVersion> {
    const content = PolicyContent.parse(request.content);
    for (let attempt = 0; attempt < 5; attempt++) {
      await this.refresh();
      const current = this.current();
      const version: PolicyVersion = {
        author: this.author,
        version: (current?.version ?? 0) + 1,
        hash: policyHash(content),
        content,
        comment: request.comment,
        publishedBy: actor.name,
        publishedAt: this.now(),
        canaries: [...request.canaries],
        canaryHoldMs: request.canaryHoldMs,
        phase: request.canaries.length > 0 ? 'canary' : 'released',
        haltReason: null,
        rollbackOf: request.rollbackOf ?? null,
        previousVersion: current === undefined ? null : runningVersion(current),
      };
      if (await this.store.insert(version)) {
        await this.refresh();
        return version;
      }
    }
    throw new Error(`${this.author}: could not number a new policy version (five races lost)`);
  }

  async rollback(version: number, comment: string, actor: Actor): Promise<PolicyVersion> {
    const earlier = this.get(version);
    return this.publish(
      {
        content: earlier.content,
        comment: comment || `rollback to v${version}`,
        canaries: [],
        canaryHoldMs: 0,
        rollbackOf: version,
      },
      actor,
    );
  }

  /** Ends the current version's canary phase; false when it is not (or no longer) in one. */
  async leaveCanary(phase: Exclude<RolloutPhase, 'canary'>, reason: string | null): Promise<boolean> {
    const current = this.current();
    if (current?.phase !== 'canary') return false;
    const moved = await this.store.leaveCanary(current.version, phase, reason);
    await this.refresh();
    return moved;
  }

  /** This author's document for the node at `selfPath` (its own paths), or null before any version. */
  document(selfPath: string): PolicyDocument | null {
    const current = this.current();
    if (!current) return null;
    const previous = current.previousVersion === null ? null : this.get(current.previousVersion);
    return {
      author: this.author,
      selfPath,
      current: { version: current.version, hash: current.hash, content: current.content },
      previous: previous && { version: previous.version, hash: previous.hash, content: previous.content },
      canaries: current.canaries,
      phase: current.phase,
    };
  }
}

/** The version the non-canary nodes run while `version` is current. */
function runningVersion(version: PolicyVersion): number | null {
  return version.phase === 'released' ? version.version : version.previousVersion;
}

/** Refuses a publish whose canaries are not nodes of the author's subtree. */
export function checkCanaries(canaries: readonly string[], knownPaths: ReadonlySet<string>): void {
  const unknown = canaries.filter((path) => !knownPaths.has(path));
  if (unknown.length > 0)
    throw new BadRequestError(`canaries must be nodes of this subtree; unknown: ${unknown.join(', ')}`);
}

export function summaryOf(version: PolicyVersion): PolicyVersionSummary {
  const { content: _content, ...summary } = version;
  return summary;
}
