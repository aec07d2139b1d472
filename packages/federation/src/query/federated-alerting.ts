import {
  NotFoundError,
  RulePage,
  SilencePage,
  alertKeyOf,
  compareEventKeys,
  encodeCursor,
  isAfterEventPosition,
  inScope,
  stripPathPrefix,
  type Alert,
  type AlertNotification,
  type AlertNotifications,
  type AlertsService,
  type EventPosition,
  type ListAlertsInput,
  type RulesService,
  type Scope,
  type SilencesService,
  type StoredRule,
  type TrackedAlertChange,
} from '@tierscope/shared';
import { mergeAlertStreams, type AlertStreamMember } from './alert-stream.ts';
import type { ChildAlertMirror } from './child-alert-mirror.ts';
import { listRules } from './federated-lists.ts';
import type { Federation } from './federated-node-service.ts';
import { mergePages, mergeRulePreviews, prefixRulePreview, type MemberResult, type Page } from './merge.ts';
import type { NodeUnreachableAlerts } from './unreachable-alerts.ts';

/** What only a federating tier knows of alerts: its own book, and its children's last known ones. */
export interface TierAlertKnowledge {
  /** The tier's own `node unreachable` alerts. */
  unreachable?: NodeUnreachableAlerts | undefined;
  /** Last known open alerts of children that do not answer. */
  mirror?: ChildAlertMirror | undefined;
  /** A scoped caller sees only alerts owned in its subtrees (this tier's own ones included). */
  scope?: Scope | undefined;
  /** The notifications this tier itself sent about an alert, by the alert's id. */
  notifications?: ((alertId: string) => Promise<AlertNotification[]>) | undefined;
}

/** Key of the tier's own book in the stream's id vector ("~" is no node id). */
const BOOK_MEMBER_ID = '~';

const byAlertKey = (a: Alert, b: Alert) => compareEventKeys(alertKeyOf(a), alertKeyOf(b));

/**
 * The merge rules of alerts, silences and rules over a federation. Everything they do not name
 * (single-item calls) is the federation's derived routing.
 */
export function createFederatedAlerting(
  f: Federation,
  tier: TierAlertKnowledge,
): { alerts: Partial<AlertsService>; silences: Partial<SilencesService>; rules: Partial<RulesService> } {
  /** The book's alerts and failed children's mirrored ones that belong on this page. */
  const localExtras = (
    input: ListAlertsInput,
    position: EventPosition | undefined,
    failed: readonly string[],
  ) => {
    const extras = [
      ...(tier.unreachable?.alerts() ?? []),
      ...failed.flatMap((childId) => tier.mirror?.staleAlerts(childId) ?? []),
    ];
    return extras
      .filter(
        (alert) =>
          inScope(tier.scope, alert.nodePath) &&
          alertMatches(alert, input) &&
          isAfterEventPosition(alertKeyOf(alert), position),
      )
      .sort(byAlertKey)
      .slice(0, input.limit + 1);
  };
  const ownBookHas = (id: string) => tier.unreachable?.has(id) ?? false;

  const alerts: Partial<AlertsService> = {
    list: (input) =>
      f.list(listRules.alerts, input, (results, position) => {
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
        return [extraResult];
      }),
    ack: (input, actor) =>
      ownBookHas(input.id)
        ? tier.unreachable!.setAck(input.id, input.note, actor)
        : f.forwarded.alerts.ack(input, actor),
    unack: (input, actor) =>
      ownBookHas(input.id)
        ? tier.unreachable!.setAck(input.id, null, actor)
        : f.forwarded.alerts.unack(input, actor),
    // This tier's own notifications, then the owner's answer (which holds every tier below).
    async notifications(input) {
      if (!inScope(tier.scope, input.nodePath)) throw new NotFoundError(`no alert ${input.id}`);
      const own = (await tier.notifications?.(input.id)) ?? [];
      const answer = (below: AlertNotification[], unanswered: string[]): AlertNotifications => ({
        nodePath: input.nodePath,
        id: input.id,
        notifications: [...own, ...below].sort((a, b) => a.createdAt - b.createdAt),
        unanswered,
      });
      if (ownBookHas(input.id)) return answer([], []);
      try {
        const below = await f.routed(input.nodePath, (m, nodePath, signal) =>
          m.remote.calls.alerts
            .notifications({ ...input, nodePath: nodePath ?? input.nodePath }, f.callOptions(m, signal))
            // The tier's own devices answer from this same outbox: counted once, as its own.
            .then((found) => ({
              ...found,
              notifications:
                m.kind === 'self'
                  ? []
                  : found.notifications.map((n) => ({ ...n, tier: `${m.prefix}${n.tier}` })),
              unanswered: found.unanswered.map((path) => `${m.prefix}${path}`),
            })),
        );
        return answer(below.notifications, below.unanswered);
      } catch (error) {
        if (error instanceof NotFoundError) throw error;
        return answer([], [input.nodePath]);
      }
    },
    watch(input, signal) {
      const streams: AlertStreamMember[] = f.members.map((m) => ({
        id: m.id,
        prefix: m.prefix,
        open: (lastEventId, handlers) => m.remote.watchAlerts(lastEventId, handlers),
      }));
      const book = tier.unreachable;
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
      return tier.scope === undefined ? merged : inScopeChanges(merged, tier.scope);
    },
  };

  const silences: Partial<SilencesService> = {
    async list(input) {
      const page = mergePages(
        await f.listOnce('silences.list', input, SilencePage),
        (a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
        () => encodeCursor({ unsupported: true }),
        input.limit,
      );
      // Silences are few: one page of up to `limit`, no cursor across tiers.
      return { ...page, nextCursor: null };
    },
    // A matcher's node path is in the caller's space: the owner gets it in its own.
    create: (input, actor) =>
      f.routed(input.nodePath, (m, nodePath, signal) =>
        m.remote.calls.silences.create(
          {
            ...input,
            nodePath: nodePath ?? input.nodePath,
            matchers: {
              ...input.matchers,
              ...(input.matchers.nodePath !== undefined && {
                nodePath: stripPathPrefix(input.matchers.nodePath, m.prefix),
              }),
            },
          },
          f.callOptions(m, signal, actor),
        ),
      ),
  };

  const rules: Partial<RulesService> = {
    async list(input) {
      const page = mergePages(
        await f.listOnce('rules.list', input, RulePage),
        (a: StoredRule, b: StoredRule) =>
          a.nodePath + '\u0000' + a.id < b.nodePath + '\u0000' + b.id ? -1 : 1,
        () => encodeCursor({ unsupported: true }),
        input.limit,
      );
      // Rules are few: one page of up to `limit`, no cursor across tiers.
      return { ...page, nextCursor: null };
    },
    // Each node replays its own history; the tier sums and merges what came back.
    preview: async (input) =>
      mergeRulePreviews(
        await f.askSelected(input.nodePath, (m, nodePath, signal) =>
          m.remote.calls.rules
            .preview({ ...input, nodePath }, f.callOptions(m, signal))
            .then((preview) => prefixRulePreview(preview, m.prefix)),
        ),
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
