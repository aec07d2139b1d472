import type { Logger } from 'pino';
import picomatch from 'picomatch';
import type { Actor, EffectivePolicy, PolicySilence, SilenceMatchers } from '@tierscope/shared';
import type { AlertStore, ChangeHook, CommittedChange, SilenceCheck } from '../store/alert-store.pg.ts';
import type { RawExecutor } from '../store/client.ts';
import type { IngestBatch } from '../store/ingest-store.ts';
import type { AlertTransition } from './alert-transitions.ts';
import { RuleEngine, type RuleEngineOptions } from './rule-engine.ts';
import { ruleSet, type RuleWithOrigin } from './rule-set.ts';

const TICK_MS = 1000;
/** Every alert change takes this lock in its transaction, so change seqs commit in seq order. */
const CHANGE_LOG_LOCK = `SELECT pg_advisory_xact_lock(7202605)`;

export interface AlertingRuntimeOptions {
  store: AlertStore;
  /** The node's own path: silences with a node-path matcher compare against it. */
  nodePath: string;
  logger: Logger;
  /** The fleet policy in force: its rules run beside the node's own, its silences silence too. */
  policy?: () => Pick<EffectivePolicy, 'rules' | 'silences'>;
  /** Called in every transaction that stores changes (the notifier's outbox rows). */
  inTransaction?: ChangeHook;
  /** Called after changes commit (wakes the notifier). */
  afterCommit?: (changes: readonly CommittedChange[]) => void;
  engine?: RuleEngineOptions;
  now?: () => number;
  tickMs?: number;
}

export type ChangeListener = (changes: readonly CommittedChange[]) => void;

/**
 * The node's alerting: the engine fed by ingest batches and a timer, rules and silences kept in
 * memory from the store, every change written with its change-log row and announced to the live
 * streams after commit.
 */
export class AlertingRuntime {
  readonly engine: RuleEngine;
  private silences: Array<{ matchers: SilenceMatchers; startsAt: number; endsAt: number }> = [];
  private readonly listeners = new Set<ChangeListener>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private readonly now: () => number;

  constructor(private readonly options: AlertingRuntimeOptions) {
    this.engine = new RuleEngine(options.engine);
    this.now = options.now ?? Date.now;
  }

  /** How the engine damps flapping, so a rule preview replays with the same settings. */
  get engineOptions(): RuleEngineOptions {
    return this.options.engine ?? {};
  }

  /** Loads rules, devices, silences and the open alerts, so evaluation continues where it stopped. */
  async load(
    devices: readonly { id: string; labels: Record<string, string>; lastSeen: number | null }[],
  ): Promise<void> {
    const now = this.now();
    for (const device of devices) this.engine.setDevice(device.id, device.labels, device.lastSeen ?? now);
    this.engine.setRules(await this.ruleSet(), now);
    this.engine.restoreOpen(await this.options.store.openAlertFacts());
    this.silences = await this.options.store.loadSilences(now);
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.tickMs ?? TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The batch writer's prepare hook: the engine's decisions ride in the batch's transaction. */
  prepareBatch = (batch: IngestBatch): void => {
    const transitions = this.engine.evaluateBatch(batch, this.now());
    if (transitions.length > 0) batch.alertTransitions = transitions;
  };

  /** The ingest store's writer for those decisions. */
  writeInTransaction = async (
    tx: RawExecutor,
    transitions: readonly AlertTransition[],
  ): Promise<CommittedChange[]> => {
    await tx.exec(CHANGE_LOG_LOCK);
    const changes = await this.options.store.writeTransitions(tx, transitions, this.isSilenced);
    if (changes.length > 0) await this.options.inTransaction?.(tx, changes);
    return changes;
  };

  /** Hook for the ack path and others that write changes outside the ingest. */
  changeHook: ChangeHook = async (tx, changes) => {
    if (changes.length > 0) await this.options.inTransaction?.(tx, changes);
  };

  /** After a commit: the streams and the notifier learn of the new changes. */
  published(changes: readonly CommittedChange[] | undefined): void {
    if (!changes || changes.length === 0) return;
    this.options.afterCommit?.(changes);
    for (const listener of this.listeners) listener(changes);
  }

  onChanges(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  isSilenced: SilenceCheck = (alert, at) =>
    [...this.silences, ...this.policySilences()].some(
      (silence) => silence.startsAt <= at && at < silence.endsAt && this.matches(silence.matchers, alert),
    );

  /** The policy's silences and maintenance windows, matched against this node like its own. */
  policySilences(): readonly PolicySilence[] {
    return this.options.policy?.().silences ?? [];
  }

  /** The rules the node runs: the policy's and its own, its own winning on a shared id. */
  async ruleSet(): Promise<RuleWithOrigin[]> {
    return ruleSet(this.options.policy?.().rules ?? [], await this.options.store.loadRules());
  }

  /** After a local rule changed or another policy became active. */
  async reloadRules(): Promise<void> {
    await this.apply(this.engine.setRules(await this.ruleSet(), this.now()));
  }

  async reloadSilences(): Promise<void> {
    this.silences = await this.options.store.loadSilences(this.now());
  }

  deviceChanged(id: string, labels: Record<string, string>): void {
    this.engine.setDevice(id, labels, this.now());
  }

  async setAck(
    alertId: string,
    ack: { note: string } | null,
    actor: Actor,
  ): Promise<CommittedChange | undefined> {
    const change = await this.options.store.setAck(
      alertId,
      ack && { by: actor.name, at: this.now(), note: ack.note },
      actor,
      async (tx, changes) => {
        await this.changeHook(tx, changes);
      },
      CHANGE_LOG_LOCK,
    );
    if (change) this.published([change]);
    return change;
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.apply(this.engine.tick(this.now()));
    } catch (error) {
      this.options.logger.error({ err: error }, 'alert evaluation tick failed; next tick retries');
    } finally {
      this.ticking = false;
    }
  }

  /** Stores transitions decided outside the engine (the node's backlog alerts) and announces them. */
  async apply(transitions: readonly AlertTransition[]): Promise<void> {
    if (transitions.length === 0) return;
    const changes = await this.options.store.transaction((tx) => this.writeInTransaction(tx, transitions));
    this.published(changes);
  }

  private matches(matchers: SilenceMatchers, alert: { deviceId: string | null; ruleId: string }): boolean {
    const { nodePath, devicePattern, ruleId } = matchers;
    const own = this.options.nodePath;
    if (nodePath !== undefined && !(own === nodePath || own.startsWith(`${nodePath}/`))) return false;
    if (ruleId !== undefined && ruleId !== alert.ruleId) return false;
    if (
      devicePattern !== undefined &&
      !(alert.deviceId !== null && picomatch.isMatch(alert.deviceId, devicePattern))
    )
      return false;
    return true;
  }
}
