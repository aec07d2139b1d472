import {
  alertKeyOf,
  BadRequestError,
  compareEventKeys,
  decodeEventCursor,
  encodeEventCursor,
  eventPositionForOwnItems,
  isAfterEventPosition,
  NotFoundError,
  selfCoverage,
  type Alert,
  type AlertChangeKind,
  type AlertsService,
  type RulePreview,
  type RulesService,
  type Silence,
  type SilencesService,
  type StoredRule,
  type TrackedAlertChange,
} from '@tierscope/shared';

/**
 * A leaf's alerts in memory, for tests: the same order, cursors, change log and resumable stream
 * semantics as the real leaf (event id = change seq), with `record` to script changes.
 */
export class InMemoryAlerts {
  private readonly alerts = new Map<string, Alert>();
  private readonly log: Array<{ seq: number; kind: AlertChangeKind; at: number; alert: Alert }> = [];
  private readonly listeners = new Set<() => void>();
  private readonly silenceList: Silence[] = [];
  private readonly ruleList: StoredRule[] = [];

  constructor(private readonly nodePath: string) {}

  /** Stores the alert as it is after `kind` and appends the change to the log. */
  record(kind: AlertChangeKind, alert: Omit<Alert, 'nodePath'>, at = alert.updatedAt): Alert {
    const stored: Alert = { ...alert, nodePath: this.nodePath };
    this.alerts.set(stored.id, stored);
    this.log.push({ seq: this.log.length + 1, kind, at, alert: stored });
    for (const listener of [...this.listeners]) listener();
    return stored;
  }

  readonly service: AlertsService = {
    // A test leaf sends nothing: it has no outbox.
    notifications: async (ref) => ({ ...ref, notifications: [], unanswered: [] }),
    list: async (input) => {
      const position =
        input.cursor === undefined
          ? undefined
          : eventPositionForOwnItems(decodeEventCursor(input.cursor), this.nodePath);
      const inPath = input.nodePath === undefined || input.nodePath === this.nodePath;
      const matching = [...this.alerts.values()]
        .filter(
          (a) =>
            inPath &&
            isAfterEventPosition(alertKeyOf(a), position) &&
            (input.states === undefined || input.states.includes(a.state)) &&
            (input.severity === undefined || a.severity === input.severity) &&
            (input.deviceId === undefined || a.deviceId === input.deviceId),
        )
        .sort((a, b) => compareEventKeys(alertKeyOf(a), alertKeyOf(b)));
      const items = matching.slice(0, input.limit);
      const last = items.at(-1);
      return {
        items,
        nextCursor: matching.length > input.limit && last ? encodeEventCursor(alertKeyOf(last)) : null,
        coverage: selfCoverage(this.nodePath, 0),
      };
    },
    ack: async (input, actor) =>
      this.setAck(input.nodePath, input.id, { by: actor.name, at: Date.now(), note: input.note }),
    unack: async (input) => this.setAck(input.nodePath, input.id, null),
    watch: (input, signal) => this.watch(input.lastEventId ?? undefined, signal),
  };

  readonly silences: SilencesService = {
    list: async (input) => ({
      items: this.silenceList.slice(0, input.limit),
      nextCursor: null,
      coverage: selfCoverage(this.nodePath, 0),
    }),
    create: async (input, actor) => {
      const silence: Silence = {
        id: `s${this.silenceList.length + 1}`,
        nodePath: this.nodePath,
        kind: input.kind,
        matchers: input.matchers,
        startsAt: input.startsAt ?? Date.now(),
        endsAt: input.endsAt,
        createdBy: actor.name,
        createdAt: Date.now(),
        comment: input.comment,
      };
      this.silenceList.push(silence);
      return silence;
    },
    expire: async (ref) => {
      const silence = this.silenceList.find((s) => s.id === ref.id);
      if (!silence) throw new NotFoundError(`no silence ${ref.id}`);
      silence.endsAt = Date.now();
      return silence;
    },
  };

  readonly rules: RulesService = {
    list: async (input) => ({
      items: this.ruleList.slice(0, input.limit),
      nextCursor: null,
      coverage: selfCoverage(this.nodePath, 0),
    }),
    upsert: async (input) => {
      const stored = { ...input.rule, nodePath: this.nodePath };
      const at = this.ruleList.findIndex((r) => r.id === stored.id);
      if (at >= 0) this.ruleList[at] = stored;
      else this.ruleList.push(stored);
      return stored;
    },
    delete: async (ref) => {
      const at = this.ruleList.findIndex((r) => r.id === ref.id);
      if (at < 0) throw new NotFoundError(`no rule ${ref.id}`);
      return this.ruleList.splice(at, 1)[0]!;
    },
    // What a test set in `preview`, as this node's answer.
    preview: async () => ({ ...this.preview, coverage: selfCoverage(this.nodePath, 0) }),
  };

  /** The node's answer to rules.preview, for tests of the merge. */
  preview: Omit<RulePreview, 'coverage'> = {
    fired: 0,
    flapping: 0,
    resolved: 0,
    devices: [],
    timeline: [],
    timelineComplete: true,
    replayed: { samples: 0, events: 0 },
  };

  private setAck(nodePath: string, id: string, ack: Alert['ack']): Alert {
    const alert = this.alerts.get(id);
    if (!alert || nodePath !== this.nodePath) throw new NotFoundError(`no alert ${id} at ${nodePath}`);
    return this.record(ack ? 'acked' : 'unacked', { ...alert, ack }, ack?.at ?? Date.now());
  }

  private async *watch(
    lastEventId: string | undefined,
    signal: AbortSignal,
  ): AsyncGenerator<TrackedAlertChange> {
    let after: number;
    if (lastEventId === undefined) {
      const latest = new Map<string, (typeof this.log)[number]>();
      for (const entry of this.log) latest.set(entry.alert.id, entry);
      for (const entry of [...latest.values()].sort((a, b) => a.seq - b.seq))
        if (entry.alert.state !== 'resolved') yield this.tracked(entry);
      after = this.log.length;
    } else {
      if (!/^\d+$/.test(lastEventId)) throw new BadRequestError('not an event id of this node');
      after = Number(lastEventId);
    }
    while (!signal.aborted) {
      while (after < this.log.length) yield this.tracked(this.log[after++]!);
      // Aborted while an item was out: an abort listener added now would never be called.
      if (signal.aborted) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          this.listeners.delete(done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        this.listeners.add(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  private tracked(entry: (typeof this.log)[number]): TrackedAlertChange {
    return { id: String(entry.seq), change: { kind: entry.kind, at: entry.at, alert: entry.alert } };
  }
}
