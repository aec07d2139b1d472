import {
  DesiredPolicy,
  documentForChild,
  type Actor,
  type NodeInfo,
  type PolicyDocument,
  type PolicyStatus,
  type PolicyVersion,
  type PolicyVersionList,
  type PolicyVersionSummary,
  type PublishPolicyInput,
} from '@tierscope/shared';
import type { ChildLink } from '../links/child-link.ts';
import type { ChildHealth } from '../links/heartbeat.ts';
import type { UplinkLogger } from '../links/uplink-protocol.ts';
import { checkCanaries, PolicyBook, summaryOf, type PolicyVersionStore } from './policy-book.ts';
import { policyHash } from './policy-hash.ts';
import { nodeStatus, treeNodes, type TreeNode } from './policy-status.ts';

export interface TierPolicyOptions {
  /** This tier's node id: the author of its versions. */
  author: string;
  /** The root (the BFF) runs no policy itself; its children's paths are its own. */
  isRoot: boolean;
  store: PolicyVersionStore;
  children: () => readonly ChildLink[];
  health: () => readonly ChildHealth[];
  /** This tier's `node.info`, its whole subtree in its own paths. */
  tree: () => Promise<NodeInfo>;
  /** The documents this tier's parent handed it (a node's policy agent); none at the root. */
  inherited?: () => readonly PolicyDocument[];
  /** Hands this tier's own document to its policy agent, for the node itself (not at the root). */
  onAuthored?: (document: PolicyDocument | null) => Promise<void>;
  logger: UplinkLogger;
  now?: () => number;
  /** How often children's states are compared with what they should hold. Default 200 ms. */
  reconcileEveryMs?: number;
  /** How often the book is read back (another replica's publish). Default 1000 ms. */
  refreshEveryMs?: number;
  /** One `policy.receive` call's deadline. Default 5000 ms. */
  pushTimeoutMs?: number;
  /** Wait after a failed push before the next to that child. Default 1000 ms. */
  retryAfterMs?: number;
}

/** What this tier knows of one child's copy. */
interface ChildCopy {
  /** The desired hash the child confirmed, and when. */
  ackedHash: string | null;
  ackedAt: number;
  inFlight: boolean;
  retryAt: number;
}

/**
 * A tier's policy (docs/decisions/0021): the versions it authors, and the rollout of everything its
 * children should hold — its ancestors' documents and its own, each re-expressed for the child.
 * A child is sent its desired policy when that changes (a publish, a new phase, the parent's own
 * policy), when it attaches again, and whenever its heartbeat shows it holds another; so a child
 * that was cut off or lost its copy converges by itself. The current version's canary phase ends
 * here: released once every canary has applied it and stayed healthy for the hold, halted at the
 * first rejection or illness.
 */
export class TierPolicy {
  readonly book: PolicyBook;
  private readonly copies = new Map<string, ChildCopy>();
  private desiredCache = new Map<string, { desired: DesiredPolicy; hash: string }>();
  private readonly appliedSince = new Map<string, number>();
  private timers: NodeJS.Timeout[] = [];
  private advancing = false;
  private readonly now: () => number;

  constructor(private readonly options: TierPolicyOptions) {
    this.book = new PolicyBook(options.author, options.store, options.now);
    this.now = options.now ?? Date.now;
  }

  /** The document path of this tier in its own paths: '' at the root. */
  private get ownPath(): string {
    return this.options.isRoot ? '' : this.options.author;
  }

  /** Starts following the book and the children; a book not readable yet is read again each second. */
  async start(): Promise<void> {
    this.timers = [
      setInterval(() => this.reconcile(), this.options.reconcileEveryMs ?? 200),
      setInterval(() => void this.follow(), this.options.refreshEveryMs ?? 1000),
    ];
    for (const timer of this.timers) timer.unref();
    await this.book.refresh();
    await this.changed();
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  // --- authoring -------------------------------------------------------------------------------

  async publish(input: PublishPolicyInput, actor: Actor): Promise<PolicyVersionSummary> {
    if (input.canaries.length > 0) {
      const known = new Set(this.nodes(await this.options.tree()).map((node) => node.path));
      checkCanaries(input.canaries, known);
    }
    const version = await this.book.publish(input, actor);
    await this.changed();
    return summaryOf(version);
  }

  async rollback(version: number, comment: string, actor: Actor): Promise<PolicyVersionSummary> {
    const published = await this.book.rollback(version, comment, actor);
    await this.changed();
    return summaryOf(published);
  }

  versions(): PolicyVersionList {
    return { author: this.options.author, versions: this.book.list() };
  }

  version(version: number): PolicyVersion {
    return this.book.get(version);
  }

  async status(): Promise<PolicyStatus> {
    const current = this.book.current();
    const previous = this.previousOf(current);
    const nodes = this.nodes(await this.options.tree());
    return {
      author: this.options.author,
      current: current ? summaryOf(current) : null,
      nodes: nodes.map((node) => nodeStatus(this.options.author, current, previous, node)),
    };
  }

  // --- rollout ---------------------------------------------------------------------------------

  /** The parent handed this tier other documents: its children's desired policies change with them. */
  inheritedChanged(): void {
    this.desiredCache.clear();
    this.reconcile();
  }

  /** A child (re)attached: whatever it confirmed before is checked again. */
  childAttached(id: string): void {
    this.copies.delete(id);
    this.reconcile();
  }

  /** What the child `childId` should hold, and its hash. */
  desiredFor(childId: string): { desired: DesiredPolicy; hash: string } {
    const cached = this.desiredCache.get(childId);
    if (cached) return cached;
    const own = this.book.document(this.ownPath);
    const documents = [...(this.options.inherited?.() ?? []), ...(own ? [own] : [])];
    const desired = DesiredPolicy.parse({
      documents: documents.map((document) => documentForChild(document, childId)),
    });
    const entry = { desired, hash: policyHash(desired) };
    this.desiredCache.set(childId, entry);
    return entry;
  }

  private async changed(): Promise<void> {
    this.desiredCache.clear();
    if (!this.options.isRoot) await this.options.onAuthored?.(this.book.document(this.ownPath));
    this.reconcile();
  }

  private async follow(): Promise<void> {
    try {
      if (await this.book.refresh()) await this.changed();
      await this.advanceCanaries();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'policy: reading the book or the canaries failed; retrying');
    }
  }

  /** Sends each reachable child that holds something else its desired policy. */
  private reconcile(): void {
    const now = this.now();
    const health = new Map(this.options.health().map((h) => [h.id, h]));
    for (const link of this.options.children()) {
      const child = health.get(link.id);
      if (!child || child.state === 'down') continue;
      const copy = this.copyOf(link.id);
      if (copy.inFlight || now < copy.retryAt) continue;
      const { desired, hash } = this.desiredFor(link.id);
      if (copy.ackedHash === hash && !this.heldOtherSince(child, hash, copy.ackedAt, now)) continue;
      void this.push(link, copy, desired, hash);
    }
  }

  /** True when a heartbeat newer than the child's confirmation shows it holding another policy. */
  private heldOtherSince(child: ChildHealth, hash: string, since: number, now: number): boolean {
    const held = child.info?.policy?.desiredHash;
    if (held === undefined || child.ageMs === null) return false;
    return held !== hash && now - child.ageMs > since;
  }

  private async push(link: ChildLink, copy: ChildCopy, desired: DesiredPolicy, hash: string): Promise<void> {
    copy.inFlight = true;
    try {
      const result = await link.client.policy.receive.mutate(desired, {
        signal: AbortSignal.timeout(this.options.pushTimeoutMs ?? 5000),
      });
      copy.ackedHash = result.state.desiredHash;
      copy.ackedAt = this.now();
      if (result.state.desiredHash !== hash)
        this.options.logger.warn({ child: link.id, hash }, 'policy: a child stored another policy than sent');
    } catch (error) {
      copy.retryAt = this.now() + (this.options.retryAfterMs ?? 1000);
      this.options.logger.warn({ child: link.id, err: error }, 'policy: handing a child its policy failed');
    } finally {
      copy.inFlight = false;
    }
  }

  private copyOf(id: string): ChildCopy {
    let copy = this.copies.get(id);
    if (!copy) {
      copy = { ackedHash: null, ackedAt: 0, inFlight: false, retryAt: 0 };
      this.copies.set(id, copy);
    }
    return copy;
  }

  // --- canaries --------------------------------------------------------------------------------

  /** Releases or halts the current version once its canaries have shown how they take it. */
  private async advanceCanaries(): Promise<void> {
    const current = this.book.current();
    if (current?.phase !== 'canary' || this.advancing) return;
    this.advancing = true;
    try {
      const verdict = this.canaryVerdict(current, this.nodes(await this.options.tree()));
      if (verdict === 'waiting') return;
      const [phase, reason] =
        verdict === 'released' ? (['released', null] as const) : (['halted', verdict.halt] as const);
      if (await this.book.leaveCanary(phase, reason)) {
        this.options.logger.info({ version: current.version, phase, reason }, 'policy: canary phase ended');
        await this.changed();
      }
    } finally {
      this.advancing = false;
    }
  }

  private canaryVerdict(
    current: PolicyVersion,
    nodes: readonly TreeNode[],
  ): 'waiting' | 'released' | { halt: string } {
    const byPath = new Map(nodes.map((node) => [node.path, node]));
    const now = this.now();
    let allHeld = true;
    for (const path of current.canaries) {
      const key = `${current.version}:${path}`;
      const node = byPath.get(path);
      const status = node && nodeStatus(this.options.author, current, this.previousOf(current), node);
      const since = this.appliedSince.get(key);
      if (status?.state === 'rejected' && status.rejection?.version === current.version)
        return { halt: `canary ${path} rejected v${current.version}: ${status.rejection.reason}` };
      if (since !== undefined) {
        const illness = node ? illnessOf(node) : 'it left the tree';
        if (illness !== null)
          return { halt: `canary ${path} fell ill after applying v${current.version}: ${illness}` };
      }
      if (status?.state !== 'applied') {
        allHeld = false;
        continue;
      }
      if (since === undefined) this.appliedSince.set(key, now);
      if (now - (since ?? now) < current.canaryHoldMs) allHeld = false;
    }
    return allHeld ? 'released' : 'waiting';
  }

  private previousOf(current: PolicyVersion | undefined): PolicyVersion | undefined {
    return current?.previousVersion == null ? undefined : this.book.get(current.previousVersion);
  }

  private nodes(tree: NodeInfo): TreeNode[] {
    return treeNodes(tree, !this.options.isRoot);
  }
}

/** Why a node that applied a version is not well, or null when it is. */
function illnessOf(node: TreeNode): string | null {
  if (!node.reachable) return 'unreachable';
  const info = node.info;
  if (!info) return 'no info';
  if (!info.database.reachable) return 'its database is unreachable';
  if (!info.broker.connected) return 'its broker is disconnected';
  if (info.backlogs?.ingest.trend === 'stalled') return 'its ingest backlog stalled';
  return null;
}
