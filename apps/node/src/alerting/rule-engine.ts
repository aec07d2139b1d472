import { severityRank, type Rule, type RuleCondition } from '@tierscope/shared';
import type { EventRow, SampleRow, StatusRow } from '../store/ingest-store.ts';
import type { AlertTransition, OpenAlertFacts } from './alert-transitions.ts';
import {
  ConditionState,
  DEFAULT_DAMPING,
  type ConditionEvent,
  type DampingOptions,
  type Verdict,
} from './condition-state.ts';
import { scopeMatcher, type DeviceFacts, type ScopeMatcher } from './rule-scope.ts';

/** The part of a committed ingest batch the engine reads. */
export interface ObservedBatch {
  samples: readonly SampleRow[];
  events: readonly EventRow[];
  statuses: readonly StatusRow[];
  /** Devices heard in the batch (new ones included). */
  seen: ReadonlyMap<string, number>;
}

export interface RuleEngineOptions {
  damping?: Partial<DampingOptions>;
}

type Condition<K extends RuleCondition['kind']> = Extract<RuleCondition, { kind: K }>;

interface CompiledRule {
  rule: Rule;
  inScope: ScopeMatcher;
}

interface TrackedCondition {
  rule: Rule;
  deviceId: string;
  state: ConditionState;
  lastValue: number | null;
  /** rate-of-change: the previous sample. */
  previous?: { ts: number; value: number };
}

interface EventEpisode {
  rule: Rule;
  deviceId: string;
  episodeStart: number;
  lastMatch: number;
}

/**
 * Evaluates the node's rules as batches land (no database polling) and on a timer for no-data,
 * offline for-durations and resolutions that only time brings. Pure over its inputs: persistence,
 * silences and notifications belong to the alert store.
 */
export class RuleEngine {
  private readonly damping: DampingOptions;
  private rules: CompiledRule[] = [];
  private byMetric = new Map<string, CompiledRule[]>();
  private readonly devices = new Map<
    string,
    DeviceFacts & { lastHeard: number; metricsHeard: Map<string, number> }
  >();
  private readonly conditions = new Map<string, TrackedCondition>();
  private readonly episodes = new Map<string, EventEpisode>();
  private readonly scopeCache = new Map<string, boolean>();

  constructor(options: RuleEngineOptions = {}) {
    this.damping = { ...DEFAULT_DAMPING, ...options.damping };
  }

  /** Replaces the rule set. Open alerts of a removed or disabled rule resolve at `now`. */
  setRules(rules: readonly Rule[], now: number): AlertTransition[] {
    const active = rules.filter((rule) => rule.enabled);
    this.rules = active.map((rule) => ({ rule, inScope: scopeMatcher(rule.scope) }));
    this.byMetric = new Map();
    for (const compiled of this.rules) {
      const condition = compiled.rule.condition;
      if (condition.kind !== 'threshold' && condition.kind !== 'rate-of-change') continue;
      const list = this.byMetric.get(condition.metric) ?? [];
      list.push(compiled);
      this.byMetric.set(condition.metric, list);
    }
    this.scopeCache.clear();
    const current = new Map(active.map((rule) => [rule.id, rule]));
    const out: AlertTransition[] = [];
    for (const [key, tracked] of this.conditions) {
      const replacement = current.get(tracked.rule.id);
      if (replacement && sameCondition(replacement, tracked.rule)) {
        tracked.rule = replacement;
        continue;
      }
      this.conditions.delete(key);
      if (tracked.state.isOpen) out.push(this.resolveNow(tracked.rule, tracked.deviceId, tracked, now));
    }
    for (const [key, episode] of this.episodes) {
      if (current.get(episode.rule.id)) continue;
      this.episodes.delete(key);
      out.push(transition('resolved', episode.rule, episode.deviceId, episode.episodeStart, now, null));
    }
    return out;
  }

  /** The node's devices with their labels and when they were last heard (no-data counts from it). */
  setDevice(id: string, labels: Record<string, string>, lastHeard: number): void {
    const known = this.devices.get(id);
    if (known) {
      known.labels = labels;
      known.lastHeard = Math.max(known.lastHeard, lastHeard);
    } else {
      this.devices.set(id, { id, labels, lastHeard, metricsHeard: new Map() });
    }
    for (const key of this.scopeCache.keys()) if (key.endsWith(`\u0000${id}`)) this.scopeCache.delete(key);
  }

  /** Re-opens what the store says is open, so a restart continues each episode instead of duplicating it. */
  restoreOpen(alerts: readonly OpenAlertFacts[]): void {
    for (const alert of alerts) {
      const compiled = this.rules.find((c) => c.rule.id === alert.ruleId);
      if (!compiled) continue;
      const { rule } = compiled;
      const key = conditionKey(rule.id, alert.deviceId);
      if (rule.condition.kind === 'event-match') {
        this.episodes.set(key, {
          rule,
          deviceId: alert.deviceId,
          episodeStart: alert.startedAt,
          lastMatch: alert.startedAt,
        });
        continue;
      }
      const state = ConditionState.open(
        forMsOf(rule),
        this.dampingFor(rule),
        alert.startedAt,
        alert.state === 'flapping',
      );
      this.conditions.set(key, { rule, deviceId: alert.deviceId, state, lastValue: null });
    }
  }

  /** Evaluates one batch, in its order. `now` is the node's clock when the batch is written. */
  evaluateBatch(batch: ObservedBatch, now: number): AlertTransition[] {
    if (this.rules.length === 0) {
      this.noteHeard(batch, now);
      return [];
    }
    const out: AlertTransition[] = [];
    this.noteHeard(batch, now);
    for (const sample of batch.samples) this.observeSample(sample, out);
    for (const event of batch.events) this.observeEvent(event, out);
    for (const status of batch.statuses) this.observeStatus(status, out);
    // Data arriving ends a no-data episode at once.
    for (const deviceId of batch.seen.keys()) this.checkNoData(deviceId, now, out);
    return out;
  }

  /** Time passing: no-data and offline for-durations, and resolutions that need quiet. */
  tick(now: number): AlertTransition[] {
    const out: AlertTransition[] = [];
    for (const tracked of this.conditions.values()) {
      const kind = tracked.rule.condition.kind;
      if (kind === 'no-data') continue;
      const event = tracked.state.check(now, tracked.lastValue);
      if (event) out.push(this.toTransition(tracked, event));
    }
    for (const deviceId of this.devices.keys()) this.checkNoData(deviceId, now, out);
    for (const [key, episode] of this.episodes) {
      const condition = episode.rule.condition as Condition<'event-match'>;
      if (now - episode.lastMatch < condition.resolveAfterMs) continue;
      this.episodes.delete(key);
      out.push(transition('resolved', episode.rule, episode.deviceId, episode.episodeStart, now, null));
    }
    return out;
  }

  private noteHeard(batch: ObservedBatch, now: number): void {
    for (const [deviceId] of batch.seen) {
      const device = this.devices.get(deviceId);
      if (device) device.lastHeard = now;
      else this.devices.set(deviceId, { id: deviceId, labels: {}, lastHeard: now, metricsHeard: new Map() });
    }
    if (!this.hasNoDataPerMetric()) return;
    for (const sample of batch.samples)
      this.devices.get(sample.deviceId)?.metricsHeard.set(sample.metric, now);
  }

  private hasNoDataPerMetric(): boolean {
    return this.rules.some(
      (c) => c.rule.condition.kind === 'no-data' && c.rule.condition.metric !== undefined,
    );
  }

  private observeSample(sample: SampleRow, out: AlertTransition[]): void {
    const candidates = this.byMetric.get(sample.metric);
    if (!candidates) return;
    for (const compiled of candidates) {
      if (!this.inScope(compiled, sample.deviceId)) continue;
      const tracked = this.tracked(compiled.rule, sample.deviceId);
      const verdict = this.verdictOf(tracked, sample);
      tracked.lastValue = sample.value;
      const event = tracked.state.observe(verdict, sample.ts, sample.value);
      if (event) out.push(this.toTransition(tracked, event));
    }
  }

  private verdictOf(tracked: TrackedCondition, sample: SampleRow): Verdict {
    const condition = tracked.rule.condition;
    if (condition.kind === 'threshold') return thresholdVerdict(condition, sample.value);
    const rate = condition as Condition<'rate-of-change'>;
    const previous = tracked.previous;
    tracked.previous = { ts: sample.ts, value: sample.value };
    if (!previous || sample.ts <= previous.ts) return 'hold';
    const perMinute = ((sample.value - previous.value) * 60_000) / (sample.ts - previous.ts);
    return Math.abs(perMinute) >= rate.perMinute ? 'violating' : 'clear';
  }

  private observeEvent(event: EventRow, out: AlertTransition[]): void {
    for (const compiled of this.rules) {
      const condition = compiled.rule.condition;
      if (condition.kind !== 'event-match') continue;
      if (condition.eventType !== '*' && condition.eventType !== event.type) continue;
      if (severityRank[event.severity] < severityRank[condition.minSeverity]) continue;
      if (!this.inScope(compiled, event.deviceId)) continue;
      const key = conditionKey(compiled.rule.id, event.deviceId);
      const open = this.episodes.get(key);
      if (open) {
        open.lastMatch = Math.max(open.lastMatch, event.ts);
        continue;
      }
      this.episodes.set(key, {
        rule: compiled.rule,
        deviceId: event.deviceId,
        episodeStart: event.ts,
        lastMatch: event.ts,
      });
      out.push(
        transition(
          'fired',
          compiled.rule,
          event.deviceId,
          event.ts,
          event.ts,
          null,
          `${event.type}: ${event.message}`,
        ),
      );
    }
  }

  private observeStatus(status: StatusRow, out: AlertTransition[]): void {
    for (const compiled of this.rules) {
      if (compiled.rule.condition.kind !== 'device-offline') continue;
      if (!this.inScope(compiled, status.deviceId)) continue;
      const tracked = this.tracked(compiled.rule, status.deviceId);
      const event = tracked.state.observe(
        status.status === 'offline' ? 'violating' : 'clear',
        status.at,
        null,
      );
      if (event) out.push(this.toTransition(tracked, event));
    }
  }

  private checkNoData(deviceId: string, now: number, out: AlertTransition[]): void {
    const device = this.devices.get(deviceId);
    if (!device) return;
    for (const compiled of this.rules) {
      const condition = compiled.rule.condition;
      if (condition.kind !== 'no-data' || !this.inScope(compiled, deviceId)) continue;
      const heard =
        condition.metric === undefined
          ? device.lastHeard
          : (device.metricsHeard.get(condition.metric) ?? device.lastHeard);
      const tracked = this.tracked(compiled.rule, deviceId);
      const silent = now - heard >= condition.forMs;
      const event = tracked.state.observe(silent ? 'violating' : 'clear', now, null);
      if (event) out.push(this.toTransition(tracked, event));
    }
  }

  private tracked(rule: Rule, deviceId: string): TrackedCondition {
    const key = conditionKey(rule.id, deviceId);
    let tracked = this.conditions.get(key);
    if (!tracked) {
      tracked = {
        rule,
        deviceId,
        state: new ConditionState(forMsOf(rule), this.dampingFor(rule)),
        lastValue: null,
      };
      this.conditions.set(key, tracked);
    }
    return tracked;
  }

  /** Presence rules (no-data, offline) resolve as soon as the device is back: there is no noise to damp. */
  private dampingFor(rule: Rule): DampingOptions {
    const kind = rule.condition.kind;
    return kind === 'no-data' || kind === 'device-offline'
      ? { ...this.damping, clearForMs: 0 }
      : this.damping;
  }

  private inScope(compiled: CompiledRule, deviceId: string): boolean {
    const key = `${compiled.rule.id}\u0000${deviceId}`;
    let result = this.scopeCache.get(key);
    if (result === undefined) {
      const device = this.devices.get(deviceId);
      result = compiled.inScope({ id: deviceId, labels: device?.labels ?? {} });
      this.scopeCache.set(key, result);
    }
    return result;
  }

  private toTransition(tracked: TrackedCondition, event: ConditionEvent): AlertTransition {
    return transition(event.kind, tracked.rule, tracked.deviceId, event.episodeStart, event.at, event.value);
  }

  private resolveNow(rule: Rule, deviceId: string, tracked: TrackedCondition, now: number): AlertTransition {
    return transition(
      'resolved',
      rule,
      deviceId,
      tracked.state.episodeStart ?? now,
      now,
      null,
      `${rule.name}: rule changed or removed`,
    );
  }
}

function transition(
  kind: AlertTransition['kind'],
  rule: Rule,
  deviceId: string,
  episodeStart: number,
  at: number,
  value: number | null,
  detail?: string,
): AlertTransition {
  return {
    kind,
    alertId: `${rule.id}:${deviceId}:${episodeStart}`,
    fingerprint: `${rule.id}:${deviceId}`,
    rule,
    deviceId,
    episodeStart,
    at,
    value,
    summary: detail ?? summaryOf(rule, deviceId, value),
  };
}

export function summaryOf(rule: Rule, deviceId: string, value: number | null): string {
  const c = rule.condition;
  switch (c.kind) {
    case 'threshold':
      return `${deviceId}: ${c.metric} ${value ?? '?'} ${c.operator} ${c.value}`;
    case 'rate-of-change':
      return `${deviceId}: ${c.metric} changing faster than ${c.perMinute}/min (now ${value ?? '?'})`;
    case 'no-data':
      return `${deviceId}: no ${c.metric ?? 'data'} for ${Math.round(c.forMs / 1000)} s`;
    case 'device-offline':
      return `${deviceId}: offline`;
    case 'event-match':
      return `${deviceId}: ${c.eventType} event`;
  }
}

function thresholdVerdict(condition: Condition<'threshold'>, value: number): Verdict {
  const { operator, value: limit, hysteresis } = condition;
  const violating =
    operator === '>'
      ? value > limit
      : operator === '>='
        ? value >= limit
        : operator === '<'
          ? value < limit
          : value <= limit;
  if (violating) return 'violating';
  if (hysteresis === 0) return 'clear';
  const above = operator === '>' || operator === '>=';
  return (above ? value <= limit - hysteresis : value >= limit + hysteresis) ? 'clear' : 'hold';
}

function forMsOf(rule: Rule): number {
  const c = rule.condition;
  return c.kind === 'event-match' || c.kind === 'no-data' ? 0 : c.forMs;
}

function conditionKey(ruleId: string, deviceId: string): string {
  return `${ruleId}\u0000${deviceId}`;
}

function sameCondition(a: Rule, b: Rule): boolean {
  return (
    JSON.stringify([a.condition, a.scope, a.severity]) === JSON.stringify([b.condition, b.scope, b.severity])
  );
}
