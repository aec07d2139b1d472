import type { Logger } from 'pino';
import { policyHash } from '@tierscope/federation';
import {
  DesiredPolicy,
  resolvePolicy,
  type Actor,
  type AppliedPolicyVersion,
  type EffectivePolicy,
  type NodePolicyState,
  type PolicyApplyResult,
  type PolicyDocument,
  type PolicyRejection,
} from '@tierscope/shared';
import type { WebhookAllowlist } from '@tierscope/notify';
import { audit } from '../store/audit.ts';
import type { NodeStore } from '../store/client.ts';
import { nodeSettings, type NodeSettingDefaults, type NodeSettings } from './node-settings.ts';
import {
  NO_POLICY_STATE,
  readPolicyState,
  storedMetrics,
  writePolicyState,
  type StoredPolicyState,
} from './policy-state-store.ts';
import { policyProblems } from './policy-validation.ts';

export interface PolicyAgentOptions {
  store: NodeStore;
  nodeId: string;
  /** `WEBHOOK_ALLOWLIST`: a pushed route may send only where the node's own allowlist allows. */
  webhookAllowlist: WebhookAllowlist;
  /** The node's own WEBHOOKS, RAW_RETENTION_DAYS and UNKNOWN_DEVICES, where the policy sets none. */
  defaults: NodeSettingDefaults;
  logger: Logger;
  now?: () => number;
  /**
   * Brings what the node keeps derived from policy in memory up to a newly activated one (the
   * alerting's rules). Not called by load(): the parts read the policy as they load themselves.
   */
  activate: (effective: EffectivePolicy) => Promise<void>;
}

type DesiredListener = (documents: PolicyDocument[]) => void;

const EMPTY_POLICY: EffectivePolicy = resolvePolicy([]);

/**
 * The node's side of fleet policy (decision 21): takes the documents its parent hands it and its
 * own authored one, resolves them, validates the result against this node, and activates it
 * atomically (the policy_state row and an audit entry in one transaction) or records why not and
 * keeps the policy in force. What is applied survives restarts: load() puts it back in force before
 * the node ingests. Calls are serialised, so two applies never interleave.
 */
export class PolicyAgent {
  readonly #options: PolicyAgentOptions;
  readonly #now: () => number;
  readonly #listeners = new Set<DesiredListener>();
  #state: StoredPolicyState = NO_POLICY_STATE;
  #settings: NodeSettings;
  /** False after an activation whose in-memory part failed: the next call retries it. */
  #partsActivated = true;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: PolicyAgentOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#settings = nodeSettings(EMPTY_POLICY, options.defaults);
  }

  /** Reads the stored state and puts the applied policy in force; it was validated when applied. */
  async load(): Promise<void> {
    await this.#serially(async () => {
      this.#state = await readPolicyState(this.#options.store);
      this.#settings = nodeSettings(this.effective(), this.#options.defaults);
      this.#options.logger.info(
        { applied: this.#state.applied?.sources ?? [], desiredHash: this.#state.desiredHash },
        'stored policy in force',
      );
    });
  }

  /**
   * Takes the documents the parent sends. The same desired policy again changes nothing (and
   * writes no audit entry) unless it was refused before and the node now accepts it.
   */
  async apply(desired: DesiredPolicy, actor: Actor): Promise<PolicyApplyResult> {
    const parsed = DesiredPolicy.parse(desired);
    const hash = policyHash(parsed);
    return this.#serially(async () => {
      if (hash !== this.#state.desiredHash) {
        await this.#write({ ...this.#state, desired: parsed, desiredHash: hash });
        this.#announceDesired(parsed.documents);
      }
      await this.#reconcile(actor);
      return { state: this.state() };
    });
  }

  /** This node's own document for its subtree (null: none); it applies to the node itself too. */
  async setAuthored(document: PolicyDocument | null, actor: Actor): Promise<void> {
    await this.#serially(async () => {
      await this.#write({ ...this.#state, authored: document });
      await this.#reconcile(actor);
    });
  }

  /** The documents inherited from the parent, as last stored; what this node passes to its children. */
  desiredDocuments(): PolicyDocument[] {
    return this.#state.desired?.documents ?? [];
  }

  /** Called with the inherited documents each time a different desired policy is stored. */
  onDesired(listener: DesiredListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  state(): NodePolicyState {
    return {
      desiredHash: this.#state.desiredHash,
      applied: this.#state.applied?.sources ?? [],
      appliedAt: this.#state.appliedAt,
      rejection: this.#state.rejection,
    };
  }

  /** The policy in force; an empty one before any was applied. */
  effective(): EffectivePolicy {
    return this.#state.applied ?? EMPTY_POLICY;
  }

  /** The node's settings under the policy in force: routes, retention, the unknown-device rule. */
  settings(): NodeSettings {
    return this.#settings;
  }

  /** Resolves what the node holds now and activates it, or records why it cannot run here. */
  async #reconcile(actor: Actor): Promise<void> {
    const documents = [...this.desiredDocuments(), ...(this.#state.authored ? [this.#state.authored] : [])];
    const candidate = resolvePolicy(documents);
    if (policyHash(candidate) === policyHash(this.effective())) {
      if (this.#state.rejection !== null) await this.#write({ ...this.#state, rejection: null });
      if (!this.#partsActivated) await this.#activateParts();
      return;
    }
    const problems = policyProblems(documents, candidate, {
      nodeId: this.#options.nodeId,
      storedMetrics: await storedMetrics(this.#options.store),
      allowlist: this.#options.webhookAllowlist,
      envWebhookIds: new Set(this.#options.defaults.webhooks.map(({ id }) => id)),
    });
    if (problems.length > 0) await this.#reject(candidate, problems, actor);
    else await this.#activate(candidate, actor);
  }

  async #activate(effective: EffectivePolicy, actor: Actor): Promise<void> {
    const previous = this.effective().sources;
    const next: StoredPolicyState = {
      ...this.#state,
      applied: effective,
      appliedAt: this.#now(),
      rejection: null,
    };
    await this.#options.store.transaction(async (tx) => {
      await writePolicyState(tx, next);
      await audit(tx, actor, 'policy.apply', this.#options.nodeId, {
        desiredHash: next.desiredHash,
        applied: effective.sources,
        previous,
      });
    });
    this.#state = next;
    this.#settings = nodeSettings(effective, this.#options.defaults);
    this.#partsActivated = false;
    this.#options.logger.info({ applied: effective.sources, previous }, 'policy activated');
    await this.#activateParts();
  }

  async #activateParts(): Promise<void> {
    await this.#options.activate(this.effective());
    this.#partsActivated = true;
  }

  async #reject(candidate: EffectivePolicy, problems: string[], actor: Actor): Promise<void> {
    const source = refusedSource(candidate.sources, this.effective().sources);
    const reason = problems.join('; ').slice(0, 2000);
    const current = this.#state.rejection;
    if (current?.author === source.author && current.version === source.version && current.reason === reason)
      return;
    const rejection: PolicyRejection = {
      author: source.author,
      version: source.version,
      reason,
      at: this.#now(),
    };
    const next = { ...this.#state, rejection };
    await this.#options.store.transaction(async (tx) => {
      await writePolicyState(tx, next);
      await audit(tx, actor, 'policy.reject', this.#options.nodeId, {
        ...rejection,
        kept: this.effective().sources,
      });
    });
    this.#state = next;
    this.#options.logger.warn(
      { rejection, kept: this.effective().sources },
      'policy refused; the applied one stays',
    );
  }

  /** A listener that throws is logged: what was stored stays stored and the node still applies it. */
  #announceDesired(documents: PolicyDocument[]): void {
    for (const listener of this.#listeners) {
      try {
        listener(documents);
      } catch (error) {
        this.#options.logger.error({ err: error }, 'a desired-policy listener failed');
      }
    }
  }

  async #write(state: StoredPolicyState): Promise<void> {
    await writePolicyState(this.#options.store, state);
    this.#state = state;
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(work);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}

/**
 * The author version a refusal is charged to: the nearest source that differs from what is
 * applied, else the nearest source at all (a policy with problems has at least one).
 */
function refusedSource(
  candidate: readonly AppliedPolicyVersion[],
  applied: readonly AppliedPolicyVersion[],
): AppliedPolicyVersion {
  const isApplied = (source: AppliedPolicyVersion) =>
    applied.some((other) => other.author === source.author && other.hash === source.hash);
  const source = candidate.findLast((entry) => !isApplied(entry)) ?? candidate.at(-1);
  if (source === undefined) throw new Error('a policy with problems comes from at least one author');
  return source;
}
