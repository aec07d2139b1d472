import { randomUUID } from 'node:crypto';
import {
  alertKeyOf,
  BadRequestError,
  decodeEventCursor,
  encodeCursor,
  decodeCursor,
  encodeEventCursor,
  eventPositionForOwnItems,
  NotFoundError,
  selfCoverage,
  type AlertsService,
  type Alert,
  type RulesService,
  type Silence,
  type SilencesService,
  type StoredRule,
  type TrackedAlertChange,
} from '@tierscope/shared';
import { z } from 'zod';
import type { AlertingRuntime } from '../alerting/alerting-runtime.ts';
import type { AlertStore, CommittedChange } from '../store/alert-store.pg.ts';
import type { NodeStore } from '../store/client.ts';
import type { LocalNodeServiceDeps } from './local-node.types.ts';
import { previewRuleLocally } from './local-rule-preview.ts';
import { cutPage, elapsedSince } from './paging.ts';
import { pathSelects } from './path-scoped.ts';

export interface LocalAlertingDeps {
  store: NodeStore;
  alertStore: AlertStore;
  alerting: AlertingRuntime;
  nodePath: string;
  notifications: LocalNodeServiceDeps['notifications'];
}

/** How many changes a stream reads from the log at a time. */
const CHANGE_READ_LIMIT = 500;
/** A stream re-reads the log this often even without a wake-up, in case a notification was missed. */
const STREAM_POLL_MS = 1000;

function requireOwnPath(nodePath: string, ownPath: string, what: string): void {
  if (nodePath !== ownPath) throw new NotFoundError(`no ${what} at ${nodePath}: this node is ${ownPath}`);
}

export function createLocalAlertsService(deps: LocalAlertingDeps): AlertsService {
  const { alertStore, alerting, nodePath } = deps;
  return {
    async list(input) {
      const started = performance.now();
      if (!pathSelects(input.nodePath, nodePath))
        return { items: [], nextCursor: null, coverage: selfCoverage(nodePath, elapsedSince(started)) };
      let after: Parameters<AlertStore['listAlerts']>[0]['after'];
      if (input.cursor) {
        const position = eventPositionForOwnItems(decodeEventCursor(input.cursor), nodePath);
        after =
          position.kind === 'after'
            ? { sortKey: position.ts, id: position.id }
            : { sortKey: position.ts, id: '', boundOnly: true, inclusive: position.inclusive };
      }
      const rows = await alertStore.listAlerts({
        states: input.states,
        severity: input.severity,
        deviceId: input.deviceId,
        search: input.search,
        after,
        limit: input.limit + 1,
      });
      const page = cutPage(
        rows,
        input.limit,
        ({ sortKey: _sortKey, ...alert }): Alert => alert,
        (alert) => encodeEventCursor(alertKeyOf(alert)),
      );
      return { ...page, coverage: selfCoverage(nodePath, elapsedSince(started)) };
    },

    async ack(input, actor) {
      requireOwnPath(input.nodePath, nodePath, 'alert');
      const change = await alerting.setAck(input.id, { note: input.note }, actor);
      return alertOf(change, input.id);
    },

    async unack(input, actor) {
      requireOwnPath(input.nodePath, nodePath, 'alert');
      const change = await alerting.setAck(input.id, null, actor);
      return alertOf(change, input.id);
    },

    async notifications(input) {
      requireOwnPath(input.nodePath, nodePath, 'alert');
      return { ...input, notifications: await deps.notifications(input.id), unanswered: [] };
    },

    watch(input, signal) {
      return watchChanges(deps, input.lastEventId ?? undefined, signal);
    },
  };
}

function alertOf(change: CommittedChange | undefined, id: string): Alert {
  if (!change) throw new NotFoundError(`no alert ${id}`);
  return change.change.alert;
}

/** A leaf's event id is the change's seq in its log. */
function parseLeafEventId(id: string): number {
  if (!/^\d{1,15}$/.test(id))
    throw new BadRequestError(`lastEventId ${JSON.stringify(id)} is not this node's event id`);
  return Number(id);
}

async function* watchChanges(
  deps: LocalAlertingDeps,
  lastEventId: string | undefined,
  signal: AbortSignal,
): AsyncGenerator<TrackedAlertChange, void, undefined> {
  const { alertStore, alerting } = deps;
  let wake: (() => void) | undefined;
  // Changes announced after commit, in seq order: when they continue the stream exactly, they are
  // sent without reading them back from the store (the read is the fallback for any gap).
  const announced: CommittedChange[] = [];
  const unsubscribe = alerting.onChanges((changes) => {
    announced.push(...changes);
    if (announced.length > CHANGE_READ_LIMIT) announced.splice(0, announced.length - CHANGE_READ_LIMIT);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort);
  try {
    let last: number;
    if (lastEventId === undefined) {
      const snapshot = await alertStore.openSnapshot();
      for (const change of snapshot.changes) yield tracked(change);
      last = snapshot.lastSeq;
    } else {
      last = parseLeafEventId(lastEventId);
    }
    let readStore = true;
    while (!signal.aborted) {
      while (announced.length > 0 && announced[0]!.seq <= last) announced.shift();
      if (!readStore && announced.length > 0 && announced[0]!.seq !== last + 1) readStore = true;
      const changes: CommittedChange[] = readStore
        ? await alertStore.changesAfter(last, CHANGE_READ_LIMIT)
        : announced.splice(0);
      readStore = changes.length === CHANGE_READ_LIMIT;
      for (const change of changes) {
        if (signal.aborted) return;
        if (change.seq <= last) continue;
        last = change.seq;
        yield tracked(change);
      }
      if (readStore || announced.length > 0) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          // Nothing announced for a while: read the store once, in case an announcement was missed.
          readStore = true;
          resolve();
        }, STREAM_POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    unsubscribe();
    signal.removeEventListener('abort', onAbort);
  }
}

function tracked(change: CommittedChange): TrackedAlertChange {
  return { id: String(change.seq), change: change.change };
}

export function createLocalSilencesService(deps: LocalAlertingDeps): SilencesService {
  const { alertStore, alerting, nodePath } = deps;
  return {
    async list(input) {
      const started = performance.now();
      const now = Date.now();
      const all = pathSelects(input.nodePath, nodePath)
        ? [...(await alertStore.loadSilences(now)), ...policySilences(alerting, nodePath, now)]
        : [];
      return {
        items: all.slice(0, input.limit),
        nextCursor: null,
        coverage: selfCoverage(nodePath, elapsedSince(started)),
      };
    },
    async create(input, actor) {
      requireOwnPath(input.nodePath, nodePath, 'node');
      const now = Date.now();
      const silence = {
        id: randomUUID(),
        nodePath,
        kind: input.kind,
        matchers: input.matchers,
        startsAt: input.startsAt ?? now,
        endsAt: input.endsAt,
        createdBy: actor.name,
        createdAt: now,
        comment: input.comment,
      };
      if (silence.endsAt <= silence.startsAt)
        throw new BadRequestError('endsAt must be after the silence starts');
      await alertStore.insertSilence(silence, actor);
      await alerting.reloadSilences();
      return silence;
    },
    async expire(ref, actor) {
      requireOwnPath(ref.nodePath, nodePath, 'silence');
      const now = Date.now();
      const current = (await alertStore.loadSilences(now)).find((s) => s.id === ref.id);
      if (!current || !(await alertStore.endSilence(ref.id, now, actor)))
        throw new NotFoundError(`no active silence ${ref.id}`);
      await alerting.reloadSilences();
      return { ...current, endsAt: Math.min(current.endsAt, now) };
    },
  };
}

/**
 * The policy's silences that have not ended, listed beside the node's own with a `policy:` id (they
 * are changed by publishing policy, not by silences.expire).
 */
function policySilences(alerting: AlertingRuntime, nodePath: string, now: number): Silence[] {
  return alerting
    .policySilences()
    .filter((silence) => silence.endsAt > now)
    .map((silence) => ({
      id: `policy:${silence.id}`,
      nodePath,
      kind: silence.kind,
      matchers: silence.matchers,
      startsAt: silence.startsAt,
      endsAt: silence.endsAt,
      createdBy: 'policy',
      createdAt: silence.startsAt,
      comment: silence.comment,
    }));
}

const RuleCursor = z.object({ id: z.string().max(64) });

export function createLocalRulesService(deps: LocalAlertingDeps): RulesService {
  const { alertStore, alerting, nodePath } = deps;
  const stored = (rule: Omit<StoredRule, 'nodePath'>): StoredRule => ({ ...rule, nodePath });
  return {
    async list(input) {
      const started = performance.now();
      const rules = pathSelects(input.nodePath, nodePath) ? await alerting.ruleSet() : [];
      const after = input.cursor ? decodeCursor(input.cursor, RuleCursor).id : undefined;
      const rows = rules.filter((rule) => after === undefined || rule.id > after).slice(0, input.limit + 1);
      const page = cutPage(rows, input.limit, stored, (rule) => encodeCursor({ id: rule.id }));
      return { ...page, coverage: selfCoverage(nodePath, elapsedSince(started)) };
    },
    async upsert(input, actor) {
      requireOwnPath(input.nodePath, nodePath, 'node');
      await alertStore.upsertRule(input.rule, actor);
      await alerting.reloadRules();
      return stored({ ...input.rule, origin: 'local' });
    },
    async delete(ref, actor) {
      requireOwnPath(ref.nodePath, nodePath, 'rule');
      const rule = (await alertStore.loadRules()).find((r) => r.id === ref.id);
      if (!rule || !(await alertStore.deleteRule(ref.id, actor)))
        throw new NotFoundError(`no rule ${ref.id}`);
      await alerting.reloadRules();
      return stored({ ...rule, origin: 'local' });
    },
    preview: (input) =>
      previewRuleLocally({ store: deps.store, nodePath, engine: alerting.engineOptions }, input),
  };
}
