import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import {
  BadRequestError,
  mergeReportFigures,
  prefixReportFigures,
  trendStepMs,
  NotFoundError,
  findProcedure,
  importDevicesCsv,
  inScope,
  isInSubtree,
  serviceOfProcedures,
  withOverrides,
  type Actor,
  type AlertNotification,
  type ChildAttachment,
  type CommandJob,
  type CreateDeviceInput,
  type DeviceImportEvent,
  type ProvisionDevicesInput,
  type CommandSelector,
  type Cursor,
  type NodeChild,
  type NodeId,
  type NodeInfo,
  type NodeProcedure,
  type NodeService,
} from '@tierscope/shared';
import type { ChildAlertMirror } from './child-alert-mirror.ts';
import type { ChildRosters, JobSelectorStore } from './child-rosters.ts';
import type { ChildTokenRegistry } from '../links/node-tokens.ts';
import type { ChildLink } from '../links/child-link.ts';
import { createFederatedAlerting } from './federated-alerting.ts';
import { createFederatedPolicy } from '../policy/federated-policy.ts';
import type { TierPolicy } from '../policy/tier-policy.ts';
import { assertFleetCaps, mergeFleetAnswers, prefixFleetAnswer } from './fleet-metrics.ts';
import { listRules, mergeListPages, type ListRule } from './federated-lists.ts';
import { systemClock, type Clock } from './clock.ts';
import { clampDeadline, fanOut, type Settled } from './fan-out.ts';
import { fetchInRounds } from './list-rounds.ts';
import type { ChildHealth, Heartbeat } from '../links/heartbeat.ts';
import {
  mergeCommandCatalogs,
  mergeCommandJobs,
  mergeConfigChanges,
  mergeCoverage,
  mergeNodeHistories,
  mergeNodeInfo,
  outputPrefix,
  prefixCommandJob,
  prefixConfigChange,
  prefixCoverage,
  prefixNodeHistory,
  prefixNodeInfo,
  prefixPage,
  sumConfigCounts,
  sumDeviceCounts,
  type MemberResult,
  type Page,
} from './merge.ts';
import { localNode, remoteOfClient, type CallOptions, type MemberCalls } from './node-calls.ts';
import { filterForMember, memberSelected } from './path-filter.ts';
import { pruneChildInfo, scopeMembers } from './scoped-members.ts';
import type { NodeUnreachableAlerts } from './unreachable-alerts.ts';

export interface FederatedNodeOptions {
  /** This node's id. A non-root node prefixes every path it returns with `id/`. */
  id: NodeId;
  /** The root (the BFF) returns its children's paths unchanged: `district-1/probe-a`. */
  isRoot: boolean;
  children: readonly ChildLink[];
  /** Liveness of `children`; a child it reports down is answered `unreachable` without a call. */
  heartbeat: Heartbeat;
  /** The node's own devices, if it has any; their path is `id`. */
  self?: NodeService;
  /** What `node.info` says about this node when it has no `self`. */
  identity?: { name: string; version: string; startedAt: number };
  /** Per fan-out, 100..10 000 ms, default 1500. A nested federating node needs a shorter one than its parent. */
  deadlineMs?: number;
  concurrency?: number;
  clock?: Clock;
  /** The tier's own `node unreachable` alerts (raised from the heartbeat by the runtime). */
  unreachable?: NodeUnreachableAlerts;
  /** The notifications this tier itself sent about an alert (its outbox), by the alert's id. */
  notifications?: ((alertId: string) => Promise<AlertNotification[]>) | undefined;
  /** Children's last known open alerts, shown stale while a child does not answer. */
  mirror?: ChildAlertMirror;
  /** Children's last known devices: a bulk command names a silent child's as `unreachable`. */
  rosters?: ChildRosters;
  /** The selectors of the bulk commands this tier took, for reading their jobs back. */
  jobSelectors?: JobSelectorStore;
  /** The uplink children's token hashes, when children attach by uplink. */
  childTokens?: ChildTokenRegistry;
  /** Who is asking: a user's scope limits which members are asked and what they answer. */
  actor?: Actor | undefined;
  /** The tier's own policy versions and their rollout (docs/decisions/0021). */
  policy?: TierPolicy;
}

/** A member of a fan-out: this node's own service, or one child. */
export interface Member {
  readonly id: string;
  readonly kind: 'self' | 'child';
  /** The member's path in this node's output space. */
  readonly path: string;
  /** Added to the paths in the member's answers. */
  readonly prefix: string;
  readonly remote: MemberCalls;
  /**
   * For a scoped user: that user with the scope in this member's own path space. Every call to the
   * member is made as it (scopeMembers).
   */
  readonly actor?: Actor | undefined;
}

/** A list call's input as every federated list takes it. */
interface ListInput {
  nodePath?: string | undefined;
  limit: number;
  cursor?: Cursor | undefined;
}

/**
 * What the per-domain parts of a federated service (federated-alerting.ts) build on: the members,
 * routing to an owner, fanning a list out, and the forwarders derived from the contract.
 */
export interface Federation {
  id: string;
  prefix: string;
  members: readonly Member[];
  /** Every query and mutation sent to the member that owns its `nodePath` (the default rule). */
  forwarded: NodeService;
  /** A list fanned out and merged by its rule; `extras` adds this tier's own items to the merge. */
  list<I extends { nodePath: string }, T extends I, K, P>(
    rule: ListRule<I, T, K, P>,
    input: ListInput,
    extras?: (results: readonly MemberResult<Page<I>>[], position: P | undefined) => MemberResult<Page<I>>[],
  ): Promise<Page<T>>;
  /** A list with no cursor across tiers: every selected member asked once for up to `limit`. */
  listOnce<T extends { nodePath: string }>(
    procedure: string,
    input: ListInput,
    page: { parse(value: unknown): Page<T> },
  ): Promise<MemberResult<Page<T>>[]>;
  /** The options of one call to `member`, made for `actor` (a mutation's) unless the member has its own. */
  callOptions(member: Member, signal: AbortSignal, actor?: Actor): CallOptions;
  /** Asks each member a `nodePath` filter selects once, with the filter as that member sees it. */
  askSelected<T>(
    filter: string | undefined,
    ask: (member: Member, nodePath: string | undefined, signal: AbortSignal) => Promise<T>,
  ): Promise<MemberResult<T>[]>;
  /** Sends a call to the member that owns `nodePath`, with the path as that member sees it. */
  routed<T extends { nodePath: string }>(
    nodePath: string | undefined,
    call: (member: Member, nodePath: string | undefined, signal: AbortSignal) => Promise<T>,
  ): Promise<T>;
}

function procedure(path: string): NodeProcedure {
  const found = findProcedure(path);
  if (!found) throw new Error(`no procedure ${path} in the node contract`);
  return found;
}

/**
 * The node contract over children (and optionally the node's own devices). Every call that names
 * an owner (`nodePath`) is routed to it, never fanned out: a path naming no child is NOT_FOUND, an
 * owner that is down or silent is SERVICE_UNAVAILABLE or GATEWAY_TIMEOUT. Those forwarders are
 * derived from the contract; only what merges is written here, one rule per procedure: lists fan
 * out with a deadline and merge into the global order, and the coverage block names every node
 * and why one is missing (docs/decisions/0016).
 */
export function createFederatedNodeService(options: FederatedNodeOptions): NodeService {
  const { id, isRoot, heartbeat } = options;
  const clock = options.clock ?? systemClock;
  const prefix = outputPrefix(id, isRoot);
  const deadlineMs = clampDeadline(options.deadlineMs);
  const children: Member[] = options.children.map((link) => ({
    id: link.id,
    kind: 'child',
    path: `${prefix}${link.id}`,
    prefix,
    remote: remoteOfClient(link.client),
  }));
  const self: Member | undefined = options.self && {
    id,
    kind: 'self',
    path: id,
    prefix: '',
    remote: localNode(options.self),
  };
  // A scoped user's fan-outs reach only the members in scope, each called as that user.
  const scope = options.actor?.scope;
  const members = scopeMembers(self ? [self, ...children] : children, options.actor, prefix);
  const selfVisible = members.some((m) => m.kind === 'self');
  const fanOptions = {
    deadlineMs,
    concurrency: options.concurrency,
    clock,
    isDown: (m: Member) => m.kind === 'child' && heartbeat.isDown(m.id),
  };
  // Children are told the time left of the call that asks them (x-tierscope-deadline-ms).
  const callOptions = (m: Member, signal: AbortSignal, actor?: Actor): CallOptions => ({
    signal,
    deadlineAt: Date.now() + deadlineMs,
    actor: m.actor ?? actor,
  });

  /** Fans a list out to the members a `nodePath` filter selects, in rounds (`fetchInRounds`). */
  const listAcross = <T extends { nodePath: string }>(
    path: string,
    input: ListInput,
    check: (page: unknown) => Page<T>,
    cursorFor: (m: Member, after: T | undefined) => Cursor | undefined,
    compare?: (a: T, b: T) => number,
  ): Promise<MemberResult<Page<T>>[]> => {
    const selected = members.filter((m) => memberSelected(m, input.nodePath));
    const listProcedure = procedure(path);
    return fetchInRounds<Member, T>({
      members: selected,
      ask: (m, limit, after, signal) =>
        m.remote
          .call(
            listProcedure,
            {
              ...input,
              nodePath: filterForMember(m, input.nodePath, prefix),
              limit,
              cursor: cursorFor(m, after),
            },
            callOptions(m, signal),
          )
          .then((page) => prefixPage(check(page), m.prefix)),
      compare,
      limit: input.limit,
      fan: fanOptions,
    }).then((settled) => settled.map((s, i) => asMemberResult(s, selected[i]!)));
  };

  /** Asks each member a `nodePath` filter selects once, with the filter as that member sees it. */
  const askSelected = <T>(
    filter: string | undefined,
    ask: (m: Member, nodePath: string | undefined, signal: AbortSignal) => Promise<T>,
  ): Promise<MemberResult<T>[]> => {
    const selected = members.filter((m) => memberSelected(m, filter));
    return fanOut(
      selected,
      (m, signal) => ask(m, filterForMember(m, filter, prefix), signal),
      fanOptions,
    ).then((settled) => settled.map((s, i) => asMemberResult(s, selected[i]!)));
  };

  const route = (nodePath: string | undefined): { member: Member; nodePath: string | undefined } => {
    // Only members in the caller's scope can be addressed; others are not found, as if absent.
    const visibleSelf = members.find((m) => m.kind === 'self');
    if (nodePath === undefined) {
      if (visibleSelf && children.length === 0) return { member: visibleSelf, nodePath };
      throw new BadRequestError(`nodePath is required: node ${id} federates ${children.length} children`);
    }
    if (visibleSelf && nodePath === id) return { member: visibleSelf, nodePath };
    const rest = prefix === '' || nodePath.startsWith(prefix) ? nodePath.slice(prefix.length) : undefined;
    const member =
      rest === undefined ? undefined : members.find((c) => c.kind === 'child' && c.id === rest.split('/')[0]);
    if (!member || rest === undefined) throw new NotFoundError(`no node ${nodePath} under ${id}`);
    return { member, nodePath: rest };
  };

  const routed: Federation['routed'] = async (nodePath, call) => {
    const target = route(nodePath);
    const [settled] = await fanOut(
      [target.member],
      (m, signal) => call(m, target.nodePath, signal),
      fanOptions,
    );
    if (!settled) throw new Error('fan-out returned no answer');
    if (!settled.ok) throw routedError(settled, target.member.path);
    return { ...settled.value, nodePath: `${target.member.prefix}${settled.value.nodePath}` };
  };

  // The default rule, derived: every query and mutation goes to the owner its `nodePath` names.
  const forwarded = serviceOfProcedures((p) =>
    p.page || p.type === 'subscription'
      ? undefined
      : (input: { nodePath?: string }, actor?: Actor) =>
          routed(input.nodePath, (m, nodePath, signal) =>
            m.remote
              .call(p, { ...input, nodePath }, callOptions(m, signal, actor))
              .then((value) => value as { nodePath: string }),
          ),
  );

  const federation: Federation = {
    id,
    prefix,
    members,
    forwarded,
    callOptions,
    askSelected,
    routed,
    list: async (rule, input, extras) => {
      const { order } = rule;
      const keyOf = (item: Parameters<typeof rule.keyOf>[0]) => rule.keyOf(item);
      const position = input.cursor === undefined ? undefined : order.decode(input.cursor);
      const positionFor = (m: Member, p: typeof position) =>
        p && order.encode(m.kind === 'self' ? order.forOwn(p, id) : order.forChild(p, m.path, prefix));
      const results = await listAcross(
        rule.procedure,
        input,
        (page) => rule.page.parse(page),
        (m, after) => positionFor(m, after ? order.after(keyOf(after)) : position),
        (a, b) => order.compare(keyOf(a), keyOf(b)),
      );
      return mergeListPages(rule, [...results, ...(extras?.(results, position) ?? [])], input.limit);
    },
    listOnce: (path, input, page) =>
      listAcross(
        path,
        { ...input, cursor: undefined },
        (value) => page.parse(value),
        () => undefined,
      ),
  };

  /** The id of this tier's own uplink child at `path`, if that is what it names. */
  const ownUplinkChild = (path: string): string | undefined => {
    const rest = prefix === '' ? path : path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
    return rest !== undefined && !rest.includes('/') && options.childTokens?.knows(rest) ? rest : undefined;
  };

  /**
   * For each child that did not answer a bulk command, the devices `selector` picks from its last
   * known roster (within the caller's scope and `nodePath`), as `unreachable` items; without a
   * roster or a selector, none, and the roster named with no time: its devices are unknown.
   */
  const unreachableDevices = (
    results: readonly MemberResult<CommandJob>[],
    selector: CommandSelector | undefined,
    nodePath?: string,
  ) =>
    results.flatMap((result) => {
      const member = result.ok
        ? undefined
        : members.find((m) => m.kind === 'child' && m.path === result.path);
      if (result.ok || !member) return [];
      if (!selector || !options.rosters)
        return [{ items: [], roster: { nodePath: member.path, lastKnownAt: null } }];
      const within = (path: string) =>
        inScope(scope, path) && (nodePath === undefined || isInSubtree(path, nodePath));
      return [
        options.rosters.unreachableItems(
          member,
          selector,
          result.message ? `${result.state}: ${result.message}` : result.state,
          within,
        ),
      ];
    });

  /**
   * A device-making call sent to its owner, then the owning child's roster read again before it
   * answers, so a bulk command right after names the new devices even if that child stops (decision 38).
   */
  const thenReadRoster =
    <I extends { nodePath?: string | undefined }, O>(make: (input: I, actor: Actor) => Promise<O>) =>
    async (input: I, actor: Actor): Promise<O> => {
      const made = await make(input, actor);
      await readRosterOwning(input.nodePath);
      return made;
    };
  /** Reads the roster of the child owning `nodePath` again; a path no child owns reads nothing. */
  const readRosterOwning = async (nodePath: string | undefined): Promise<void> => {
    const member = members.find((m) => m.kind === 'child' && m.id === routedChildId(nodePath));
    if (member?.kind === 'child')
      await options.rosters?.sync(member.id, member.remote).catch(() => undefined);
  };
  /**
   * devices.importCsv: each row to its owner in batches (devices.provision, routed as any
   * single-item call); each owning child's roster is read once before the result is given, not
   * after every batch.
   */
  async function* importThenReadRosters(
    input: Parameters<NodeService['devices']['importCsv']>[0],
    actor: Actor,
  ): AsyncGenerator<DeviceImportEvent, void, undefined> {
    const owners = new Set<string>();
    const events = importDevicesCsv(input, (nodePath, rows) => {
      owners.add(nodePath);
      return forwarded.devices.provision({ nodePath, devices: rows }, actor);
    });
    for await (const event of events) {
      if (event.kind === 'result') await Promise.all([...owners].map(readRosterOwning));
      yield event;
    }
  }
  const routedChildId = (nodePath: string | undefined): string | undefined => {
    try {
      const { member } = route(nodePath);
      return member.kind === 'child' ? member.id : undefined;
    } catch {
      return undefined;
    }
  };

  const baseInfo = (): Promise<NodeInfo> =>
    options.self && selfVisible
      ? options.self.node.info()
      : Promise.resolve(synthesizedInfo(id, options.identity));
  const childTree = (): NodeChild[] =>
    heartbeat.health().flatMap((h) => {
      const attachment = options.childTokens?.knows(h.id) ? 'uplink' : 'dialled';
      const child = pruneChildInfo(asNodeChild(h, prefix, attachment), scope);
      return child ? [child] : [];
    });

  return withOverrides(forwarded, {
    ...createFederatedAlerting(federation, {
      unreachable: options.unreachable,
      notifications: options.notifications,
      mirror: options.mirror,
      scope,
    }),
    node: {
      info: () => baseInfo().then((base) => mergeNodeInfo(base, childTree())),
      // Each node keeps its own series; the tier lists them side by side, one per node.
      history: async (input) => {
        const results = await askSelected(input.nodePath, (m, nodePath, signal) =>
          m.remote.calls.node
            .history({ ...input, nodePath }, callOptions(m, signal))
            .then((history) => prefixNodeHistory(history, m.prefix)),
        );
        return mergeNodeHistories(
          results.flatMap((r) => (r.ok ? [r.value] : [])),
          input,
          mergeCoverage(results),
        );
      },
      rotateChildToken: (input, actor) => {
        const child = ownUplinkChild(input.nodePath);
        return child === undefined
          ? forwarded.node.rotateChildToken!(input, actor)
          : options.childTokens!.rotate(child).then((token) => ({ nodePath: input.nodePath, token }));
      },
      revokeChildToken: (input, actor) => {
        const child = ownUplinkChild(input.nodePath);
        return child === undefined
          ? forwarded.node.revokeChildToken!(input, actor)
          : options.childTokens!.revoke(child).then((revoked) => ({ nodePath: input.nodePath, revoked }));
      },
    },
    devices: {
      list: (input) => federation.list(listRules.devices, input),
      count: async (input) => {
        const results = await askSelected(input.nodePath, (m, nodePath, signal) =>
          m.remote.calls.devices
            .count({ ...input, nodePath }, callOptions(m, signal))
            .then((counts) => ({ ...counts, coverage: prefixCoverage(counts.coverage, m.prefix) })),
        );
        return sumDeviceCounts(results);
      },
      importCsv: importThenReadRosters,
      provision: thenReadRoster((input: ProvisionDevicesInput, actor) =>
        forwarded.devices.provision(input, actor),
      ),
      create: thenReadRoster((input: CreateDeviceInput, actor) => forwarded.devices.create(input, actor)),
      // Every member the selector's subtree takes gets the same job id, so the job reads back as one.
      commandMany: async (input, actor) => {
        const jobId = input.jobId ?? randomUUID();
        // Kept for the read-back; a store that fails costs the read-back the names, not the command.
        await options.jobSelectors?.save(jobId, input.selector, clock.now()).catch(() => undefined);
        const results = await askSelected(input.selector.nodePath, (m, nodePath, signal) =>
          m.remote.calls.devices
            .commandMany(
              { ...input, jobId, selector: { ...input.selector, nodePath } },
              callOptions(m, signal, actor),
            )
            .then((job) => prefixCommandJob(job, m.prefix)),
        );
        return mergeCommandJobs(jobId, results, unreachableDevices(results, input.selector));
      },
      commandJob: async (input) => {
        const [results, selector] = await Promise.all([
          askSelected(input.nodePath, (m, nodePath, signal) =>
            m.remote.calls.devices
              .commandJob({ jobId: input.jobId, nodePath }, callOptions(m, signal))
              .then((job) => prefixCommandJob(job, m.prefix)),
          ),
          options.jobSelectors?.get(input.jobId),
        ]);
        // A job this tier did not take (sent at a tier below) has no selector here: its devices are unknown.
        return mergeCommandJobs(input.jobId, results, unreachableDevices(results, selector, input.nodePath));
      },
      commandCatalog: async (input) => {
        const results = await askSelected(input.nodePath, (m, nodePath, signal) =>
          m.remote.calls.devices
            .commandCatalog({ nodePath }, callOptions(m, signal))
            .then((catalog) => ({ ...catalog, coverage: prefixCoverage(catalog.coverage, m.prefix) })),
        );
        return mergeCommandCatalogs(results);
      },
      // Like commandMany: every member the selector's subtree takes stores its devices' next versions.
      setConfig: async (input, actor) => {
        const results = await askSelected(input.selector.nodePath, (m, nodePath, signal) =>
          m.remote.calls.devices
            .setConfig({ ...input, selector: { ...input.selector, nodePath } }, callOptions(m, signal, actor))
            .then((change) => prefixConfigChange(change, m.prefix)),
        );
        return mergeConfigChanges(results);
      },
      configs: (input) => federation.list(listRules.configs, input),
      configCounts: async (input) => {
        const results = await askSelected(input.nodePath, (m, nodePath, signal) =>
          m.remote.calls.devices
            .configCounts({ nodePath }, callOptions(m, signal))
            .then((counts) => ({ ...counts, coverage: prefixCoverage(counts.coverage, m.prefix) })),
        );
        return sumConfigCounts(results);
      },
      // Routed like every single-device call; the items belong to the device's node.
      commands: (input) =>
        forwarded.devices.commands(input).then((history) => ({
          ...history,
          items: history.items.map((c) => ({ ...c, nodePath: history.nodePath })),
        })),
      watchCommands: async function* (input, signal) {
        const { member, nodePath } = route(input.nodePath);
        const stream = member.remote.watchCommands({ ...input, nodePath }, { signal, actor: member.actor });
        for await (const item of stream)
          yield {
            ...item,
            command: { ...item.command, nodePath: `${member.prefix}${item.command.nodePath}` },
          };
      },
    },
    // Each node computes its own figures; the tier sums them and merges the distributions.
    reports: {
      figures: async (input) => {
        const results = await askSelected(input.nodePath, (m, nodePath, signal) =>
          m.remote.calls.reports
            .figures({ ...input, nodePath }, callOptions(m, signal))
            .then((figures) => prefixReportFigures(figures, m.prefix)),
        );
        const frame = { ...input, stepMs: trendStepMs(input.from, input.to) };
        return mergeReportFigures(
          results.flatMap((r) => (r.ok ? [r.value] : [])),
          frame,
          mergeCoverage(results),
        );
      },
    },
    // Each node computes partials over its own devices; the tier merges them exactly, and the top
    // tier refuses a query past a cap (docs/decisions/0028).
    metrics: {
      fleet: async (input) => {
        const results = await askSelected(input.nodePath, (m, nodePath, signal) =>
          m.remote.calls.metrics
            .fleet({ ...input, nodePath }, callOptions(m, signal))
            .then((answer) => prefixFleetAnswer(answer, m.prefix)),
        );
        const merged = mergeFleetAnswers(
          results.flatMap((r) => (r.ok ? [r.value] : [])),
          input,
          mergeCoverage(results),
        );
        if (isRoot) assertFleetCaps(merged);
        return merged;
      },
    },
    events: { search: (input) => federation.list(listRules.events, input) },
    deadLetters: { list: (input) => federation.list(listRules.deadLetters, input) },
    policy: createFederatedPolicy(federation, {
      tier: options.policy,
      self: options.self,
      ownPath: isRoot ? undefined : id,
      scope,
    }),
  });
}

function asMemberResult<T>(settled: Settled<T>, member: Member): MemberResult<T> {
  if (settled.ok) return { ok: true, path: member.path, value: settled.value, latencyMs: settled.latencyMs };
  return {
    ok: false,
    path: member.path,
    state: settled.state,
    latencyMs: settled.latencyMs,
    message: settled.message,
  };
}

function asNodeChild(health: ChildHealth, prefix: string, attachment: ChildAttachment): NodeChild {
  return {
    path: `${prefix}${health.id}`,
    state: health.state,
    attachment,
    lastHeartbeatAt: health.lastHeartbeatAt,
    ageMs: health.ageMs,
    info: health.info && prefixNodeInfo(health.info, prefix),
  };
}

/** A routed call's failure, as the error the caller sees. */
function routedError(failure: Extract<Settled<unknown>, { ok: false }>, path: string): Error {
  switch (failure.state) {
    case 'timeout':
      return new TRPCError({
        code: 'GATEWAY_TIMEOUT',
        message: `node ${path} did not answer in time: ${failure.message}`,
      });
    case 'unreachable':
      return new TRPCError({
        code: 'SERVICE_UNAVAILABLE',
        message: `node ${path} is unreachable: ${failure.message}`,
      });
    case 'forbidden':
      return new TRPCError({ code: 'FORBIDDEN', message: `node ${path} refused: ${failure.message}` });
    case 'error':
      if (failure.code === 'NOT_FOUND') return new NotFoundError(failure.message);
      if (failure.code === 'BAD_REQUEST') return new BadRequestError(failure.message);
      return new TRPCError({ code: 'BAD_GATEWAY', message: `node ${path} failed: ${failure.message}` });
  }
}

function synthesizedInfo(id: string, identity: FederatedNodeOptions['identity']): NodeInfo {
  return {
    id,
    name: identity?.name ?? id,
    path: id,
    version: identity?.version ?? '0.0.0',
    startedAt: identity?.startedAt ?? 0,
    devices: { total: 0, online: 0 },
    ingest: { messagesTotal: 0, samplesTotal: 0, samplesPerSec: 0, queueDepth: 0, deadLettersTotal: 0 },
    broker: { connected: false, embedded: false, url: '' },
    database: { reachable: false, driver: 'postgres' },
  };
}
