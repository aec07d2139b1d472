import {
  alertKeyOf,
  compareEventKeys,
  decodeEventCursor,
  encodeEventCursor,
  eventPositionForChild,
  eventPositionForOwnItems,
  isAfterEventPosition,
  type Actor,
  type Alert,
  type AlertsService,
  type EventPosition,
  type ListAlertsInput,
  type RulesService,
  type Silence,
  type SilencesService,
  type StoredRule,
  type Scope,
  type TrackedAlertChange,
  inScope,
  stripPathPrefix,
} from '@tierscope/shared';
import { encodeCursor } from '@tierscope/shared';
import { mergeAlertStreams, type AlertStreamMember } from './alert-stream.ts';
import type { ChildAlertMirror } from './child-alert-mirror.ts';
import { mergePages, type MemberResult, type Page } from './merge.ts';
import type { ListCall, ListShape } from './list-rounds.ts';
import type { RemoteNode } from './remote-node.ts';
import type { NodeUnreachableAlerts } from './unreachable-alerts.ts';

/** What the alerting part of a federated service needs from it. */
export interface FederationMembers {
  id: string;
  prefix: string;
  members: readonly AlertingMember[];
  /** Fans a list out to the members `pathFilter` selects (all without one); `nodePath` is the filter as each sees it. */
  listAcross<T extends { nodePath: string }>(
    call: ListCall<AlertingMember, T>,
    list: ListShape<T>,
  ): Promise<MemberResult<Page<T>>[]>;
  /** Sends a call to the member that owns `nodePath`, with the path as that member sees it. */
  routed<T extends { nodePath: string }>(
    nodePath: string,
    call: (member: AlertingMember, nodePath: string, signal: AbortSignal) => Promise<T>,
  ): Promise<T>;
  /** The tier's own `node unreachable` alerts. */
  unreachable?: NodeUnreachableAlerts | undefined;
  /** Last known open alerts of children that do not answer. */
  mirror?: ChildAlertMirror | undefined;
  /** A scoped caller sees only alerts owned in its subtrees (this tier's own ones included). */
  scope?: Scope | undefined;
}

export interface AlertingMember {
  id: string;
  kind: 'self' | 'child';
  path: string;
  prefix: string;
  remote: RemoteNode;
  /**
   * For a scoped user: that user with the scope in this member's own path space. Mutations are
   * sent as it; every other call runs under it (scopeMembers).
   */
  actor?: Actor | undefined;
}

/** Key of the tier's own book in the stream's id vector ("~" is no node id). */
const BOOK_MEMBER_ID = '~';

const byAlertKey = (a: Alert, b: Alert) => compareEventKeys(alertKeyOf(a), alertKeyOf(b));

export function createFederatedAlerting(f: FederationMembers): {
  alerts: AlertsService;
  silences: SilencesService;
  rules: RulesService;
} {
  const positionFor = (position: EventPosition | undefined, m: AlertingMember) =>
    position &&
    encodeEventCursor(
      m.kind === 'self'
        ? eventPositionForOwnItems(position, f.id)
        : eventPositionForChild(position, m.path, f.prefix),
    );
  /** The book's alerts and failed children's mirrored ones that belong on this page. */
  const localExtras = (
    input: ListAlertsInput,
    position: EventPosition | undefined,
    failed: readonly string[],
  ) => {
    const extras = [
      ...(f.unreachable?.alerts() ?? []),
      ...failed.flatMap((childId) => f.mirror?.staleAlerts(childId) ?? []),
    ];
    return extras
      .filter(
        (alert) =>
          inScope(f.scope, alert.nodePath) &&
          alertMatches(alert, input) &&
          isAfterEventPosition(alertKeyOf(alert), position),
      )
      .sort(byAlertKey)
      .slice(0, input.limit + 1);
  };
  const ownBookHas = (id: string) => f.unreachable?.has(id) ?? false;

  const alerts: AlertsService = {
    async list(input) {
      const position = input.cursor === undefined ? undefined : decodeEventCursor(input.cursor);
      const results = await f.listAcross(
        (m, { signal, nodePath, limit, after }) =>
          m.remote.alerts.list(
            {
              ...input,
              nodePath,
              limit,
              cursor: positionFor(after ? { kind: 'after', ...alertKeyOf(after) } : position, m),
            },
            signal,
          ),
        { pathFilter: input.nodePath, limit: input.limit, compare: byAlertKey },
      );
      const failed = results.flatMap((r) =>
        r.ok ? [] : f.members.filter((m) => m.kind === 'child' && m.path === r.path).map((m) => m.id),
      );
      const extras = localExtras(input, position, failed);
      // The extras count as no node in coverage: they are this tier's own knowledge.
      const extraResult: MemberResult<Page<Alert>> = {
        ok: true,
        path: f.id,
        latencyMs: 0,
        value: {
          items: extras.slice(0, input.limit),
          nextCursor: extras.length > input.limit ? 'more' : null,
          coverage: { asked: 0, answered: 0, nodes: [] },
        },
      };
      return mergePages(
        [...results, extraResult],
        byAlertKey,
        (a) => encodeEventCursor(alertKeyOf(a)),
        input.limit,
      );
    },
    ack: (input, actor) =>
      ownBookHas(input.id)
        ? Promise.resolve(f.unreachable!.setAck(input.id, input.note, actor))
        : f.routed(input.nodePath, (m, nodePath, signal) =>
            m.remote.alerts.ack({ ...input, nodePath }, m.actor ?? actor, signal),
          ),
    unack: (input, actor) =>
      ownBookHas(input.id)
        ? Promise.resolve(f.unreachable!.setAck(input.id, null, actor))
        : f.routed(input.nodePath, (m, nodePath, signal) =>
            m.remote.alerts.unack({ ...input, nodePath }, m.actor ?? actor, signal),
          ),
    watch(input, signal) {
      const streams: AlertStreamMember[] = f.members.map((m) => ({
        id: m.id,
        prefix: m.prefix,
        open: (lastEventId, handlers) => m.remote.alerts.watch(lastEventId, handlers),
      }));
      const book = f.unreachable;
      if (book) {
        streams.push({
          id: BOOK_MEMBER_ID,
          prefix: '',
          open: (lastEventId, handlers) => {
            const controller = new AbortController();
            void (async () => {
              handlers.onUp();
              try {
                for await (const item of book.watch(lastEventId, controller.signal)) handlers.onItem(item);
              } catch (error) {
                if (!controller.signal.aborted) handlers.onEnd(error);
              }
            })();
            return () => controller.abort();
          },
        });
      }
      const merged = mergeAlertStreams(streams, input.lastEventId ?? undefined, signal);
      return f.scope === undefined ? merged : inScopeChanges(merged, f.scope);
    },
  };

  const silences: SilencesService = {
    async list(input) {
      const results = await f.listAcross<Silence>(
        (m, { signal, nodePath }) =>
          m.remote.silences.list({ ...input, nodePath, cursor: undefined }, signal),
        { pathFilter: input.nodePath, limit: input.limit },
      );
      const page = mergePages(
        results,
        (a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
        () => encodeCursor({ unsupported: true }),
        input.limit,
      );
      // Silences are few: one page of up to `limit`, no cursor across tiers.
      return { ...page, nextCursor: null };
    },
    create: (input, actor) =>
      f.routed(input.nodePath, (m, nodePath, signal) =>
        m.remote.silences.create(
          {
            ...input,
            nodePath,
            matchers: {
              ...input.matchers,
              ...(input.matchers.nodePath !== undefined && {
                nodePath: stripPathPrefix(input.matchers.nodePath, m.prefix),
              }),
            },
          },
          m.actor ?? actor,
          signal,
        ),
      ),
    expire: (ref, actor) =>
      f.routed(ref.nodePath, (m, nodePath, signal) =>
        m.remote.silences.expire({ ...ref, nodePath }, m.actor ?? actor, signal),
      ),
  };

  const rules: RulesService = {
    async list(input) {
      const results = await f.listAcross<StoredRule>(
        (m, { signal, nodePath }) => m.remote.rules.list({ ...input, nodePath, cursor: undefined }, signal),
        { pathFilter: input.nodePath, limit: input.limit },
      );
      const page = mergePages(
        results,
        (a: StoredRule, b: StoredRule) =>
          a.nodePath + '\u0000' + a.id < b.nodePath + '\u0000' + b.id ? -1 : 1,
        () => encodeCursor({ unsupported: true }),
        input.limit,
      );
      // Rules are few: one page of up to `limit`, no cursor across tiers.
      return { ...page, nextCursor: null };
    },
    upsert: (input, actor: Actor) =>
      f.routed(input.nodePath, (m, nodePath, signal) =>
        m.remote.rules.upsert({ ...input, nodePath }, m.actor ?? actor, signal),
      ),
    delete: (ref, actor) =>
      f.routed(ref.nodePath, (m, nodePath, signal) =>
        m.remote.rules.delete({ ...ref, nodePath }, m.actor ?? actor, signal),
      ),
  };

  return { alerts, silences, rules };
}

/** The list filters, applied to alerts this tier holds itself. */
function alertMatches(alert: Alert, input: ListAlertsInput): boolean {
  if (input.states && input.states.length > 0 && !input.states.includes(alert.state)) return false;
  if (input.severity && alert.severity !== input.severity) return false;
  if (input.deviceId && alert.deviceId !== input.deviceId) return false;
  if (
    input.nodePath &&
    !(alert.nodePath === input.nodePath || alert.nodePath.startsWith(`${input.nodePath}/`))
  )
    return false;
  if (input.search) {
    const needle = input.search.toLowerCase();
    if (![alert.summary, alert.ruleName, alert.deviceId ?? ''].some((s) => s.toLowerCase().includes(needle)))
      return false;
  }
  return true;
}

/** A stream as a scoped caller sees it: changes of alerts owned outside its subtrees are left out. */
async function* inScopeChanges(
  stream: AsyncIterable<TrackedAlertChange>,
  scope: Scope,
): AsyncGenerator<TrackedAlertChange, void, undefined> {
  for await (const item of stream) if (inScope(scope, item.change.alert.nodePath)) yield item;
}
