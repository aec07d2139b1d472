import { TRPCError } from '@trpc/server';
import {
  BadRequestError,
  decodeDeviceCursor,
  decodeEventCursor,
  deviceKeyOf,
  eventKeyOf,
  devicePositionForChild,
  devicePositionForOwnItems,
  encodeDeviceCursor,
  encodeEventCursor,
  eventPositionForChild,
  eventPositionForOwnItems,
  NotFoundError,
  type ChildAttachment,
  type Cursor,
  type DevicePosition,
  type EventPosition,
  type NodeChild,
  type NodeId,
  type NodeInfo,
  type NodeService,
  type Actor,
} from '@tierscope/shared';
import type { ChildAlertMirror } from './child-alert-mirror.ts';
import type { ChildTokenRegistry } from './node-tokens.ts';
import type { ChildLink } from './child-link.ts';
import { createFederatedAlerting } from './federated-alerting.ts';
import { systemClock, type Clock } from './clock.ts';
import { fanOut, type Settled } from './fan-out.ts';
import { fetchInRounds, type ListCall, type ListShape } from './list-rounds.ts';
import type { ChildHealth, Heartbeat } from './heartbeat.ts';
import {
  byDeadLetterKey,
  byDeviceKey,
  byEventKey,
  deadLetterKeyOf,
  mergeDeadLetterPages,
  mergeDevicePages,
  mergeEventPages,
  mergeNodeInfo,
  outputPrefix,
  prefixNodeInfo,
  prefixPage,
  type MemberResult,
  type Page,
} from './merge.ts';
import { filterForMember, memberSelected } from './path-filter.ts';
import { pruneChildInfo, scopeMembers } from './scoped-members.ts';
import { remoteOfLink, remoteOfService, type RemoteNode } from './remote-node.ts';
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
  /** Children's last known open alerts, shown stale while a child does not answer. */
  mirror?: ChildAlertMirror;
  /** The uplink children's token hashes, when children attach by uplink. */
  childTokens?: ChildTokenRegistry;
  /** Who is asking: a user's scope limits which members are asked and what they answer. */
  actor?: Actor | undefined;
}

/** A member of a fan-out: this node's own service, or one child. */
interface Member {
  readonly id: string;
  readonly kind: 'self' | 'child';
  /** The member's path in this node's output space. */
  readonly path: string;
  /** Added to the paths in the member's answers. */
  readonly prefix: string;
  readonly remote: RemoteNode;
  /**
   * For a scoped user: that user with the scope in this member's own path space. Mutations are
   * sent as it; every other call runs under it (scopeMembers).
   */
  readonly actor?: Actor | undefined;
}

/**
 * The node contract over children (and optionally the node's own devices). Lists fan out with a
 * deadline and merge into the global order; the coverage block names every node and why one is
 * missing. Single-item calls go to the owner named by `nodePath`, never fanned out: a path naming
 * no child is NOT_FOUND, an owner that is down or silent is SERVICE_UNAVAILABLE or GATEWAY_TIMEOUT.
 */
export function createFederatedNodeService(options: FederatedNodeOptions): NodeService {
  const { id, isRoot, heartbeat } = options;
  const clock = options.clock ?? systemClock;
  const prefix = outputPrefix(id, isRoot);
  const children: Member[] = options.children.map((link) => ({
    id: link.id,
    kind: 'child',
    path: `${prefix}${link.id}`,
    prefix,
    remote: remoteOfLink(link),
  }));
  const self: Member | undefined = options.self && {
    id,
    kind: 'self',
    path: id,
    prefix: '',
    remote: remoteOfService(options.self),
  };
  // A scoped user's fan-outs reach only the members in scope, each called as that user.
  const scope = options.actor?.scope;
  const allMembers = self ? [self, ...children] : children;
  const members = scopeMembers(allMembers, options.actor, prefix);
  const selfVisible = members.some((m) => m.kind === 'self');
  const fanOptions = {
    deadlineMs: options.deadlineMs,
    concurrency: options.concurrency,
    clock,
    isDown: (m: Member) => m.kind === 'child' && heartbeat.isDown(m.id),
  };

  /**
   * Fans a list out to the members a `nodePath` filter selects (all without one), in rounds
   * (`fetchInRounds`); results in member order, pages in this tier's output space.
   */
  const listAcross = <T extends { nodePath: string }>(call: ListCall<Member, T>, list: ListShape<T>) => {
    const selected = members.filter((m) => memberSelected(m, list.pathFilter));
    return fetchInRounds({
      members: selected,
      ask: (m, limit, after, signal) =>
        call(m, { signal, nodePath: filterForMember(m, list.pathFilter, prefix), limit, after }).then(
          (page) => prefixPage(page, m.prefix),
        ),
      compare: list.compare,
      limit: list.limit,
      fan: fanOptions,
    }).then((settled) => settled.map((s, i) => asMemberResult(s, selected[i]!)));
  };

  const devicePosition = (cursor: Cursor | undefined) =>
    cursor === undefined ? undefined : decodeDeviceCursor(cursor);
  const eventPosition = (cursor: Cursor | undefined) =>
    cursor === undefined ? undefined : decodeEventCursor(cursor);
  const deviceCursorFor = (position: DevicePosition | undefined, m: Member) =>
    position &&
    encodeDeviceCursor(
      m.kind === 'self'
        ? devicePositionForOwnItems(position, id)
        : devicePositionForChild(position, m.path, prefix),
    );
  const eventCursorFor = (position: EventPosition | undefined, m: Member) =>
    position &&
    encodeEventCursor(
      m.kind === 'self'
        ? eventPositionForOwnItems(position, id)
        : eventPositionForChild(position, m.path, prefix),
    );

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

  const routed = async <T extends { nodePath: string }>(
    nodePath: string | undefined,
    call: (member: Member, nodePath: string | undefined, signal: AbortSignal) => Promise<T>,
  ): Promise<T> => {
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

  /** The id of this tier's own uplink child at `path`, if that is what it names. */
  const ownUplinkChild = (path: string): string | undefined => {
    const rest = prefix === '' ? path : path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
    return rest !== undefined && !rest.includes('/') && options.childTokens?.knows(rest) ? rest : undefined;
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

  return {
    ...createFederatedAlerting({
      id,
      prefix,
      members,
      listAcross,
      routed: (nodePath, call) => routed(nodePath, (m, path, signal) => call(m, path ?? nodePath, signal)),
      unreachable: options.unreachable,
      mirror: options.mirror,
      scope,
    }),
    node: {
      info: () => baseInfo().then((base) => mergeNodeInfo(base, childTree())),
      rotateChildToken: (input) =>
        ownUplinkChild(input.nodePath) !== undefined
          ? options.childTokens!.rotate(ownUplinkChild(input.nodePath)!).then((token) => ({
              nodePath: input.nodePath,
              token,
            }))
          : routed(input.nodePath, (m, nodePath, signal) =>
              m.remote.node.rotateChildToken({ nodePath: nodePath ?? input.nodePath }, signal),
            ),
      revokeChildToken: (input) =>
        ownUplinkChild(input.nodePath) !== undefined
          ? options.childTokens!.revoke(ownUplinkChild(input.nodePath)!).then((revoked) => ({
              nodePath: input.nodePath,
              revoked,
            }))
          : routed(input.nodePath, (m, nodePath, signal) =>
              m.remote.node.revokeChildToken({ nodePath: nodePath ?? input.nodePath }, signal),
            ),
    },
    devices: {
      list: async (input) => {
        const position = devicePosition(input.cursor);
        const results = await listAcross(
          (m, { signal, nodePath, limit, after }) =>
            m.remote.devices.list(
              {
                ...input,
                nodePath,
                limit,
                cursor: deviceCursorFor(after ? { kind: 'after', ...deviceKeyOf(after) } : position, m),
              },
              signal,
            ),
          { pathFilter: input.nodePath, limit: input.limit, compare: byDeviceKey },
        );
        return mergeDevicePages(results, input.limit);
      },
      get: (ref) =>
        routed(ref.nodePath, (m, nodePath, signal) => m.remote.devices.get({ ...ref, nodePath }, signal)),
      upsert: (input) =>
        routed(input.nodePath, (m, nodePath, signal) =>
          m.remote.devices.upsert({ ...input, nodePath }, signal),
        ),
      rotateCredentials: (input, actor) =>
        routed(input.nodePath, (m, nodePath, signal) =>
          m.remote.devices.rotateCredentials({ ...input, nodePath }, m.actor ?? actor, signal),
        ),
      quarantine: (input, actor) =>
        routed(input.nodePath, (m, nodePath, signal) =>
          m.remote.devices.quarantine({ ...input, nodePath }, m.actor ?? actor, signal),
        ),
      release: (input, actor) =>
        routed(input.nodePath, (m, nodePath, signal) =>
          m.remote.devices.release({ ...input, nodePath }, m.actor ?? actor, signal),
        ),
    },
    metrics: {
      latest: (ref) =>
        routed(ref.nodePath, (m, nodePath, signal) => m.remote.metrics.latest({ ...ref, nodePath }, signal)),
      series: (input) =>
        routed(input.nodePath, (m, nodePath, signal) =>
          m.remote.metrics.series({ ...input, nodePath }, signal),
        ),
    },
    events: {
      search: async (input) => {
        const position = eventPosition(input.cursor);
        const results = await listAcross(
          (m, { signal, nodePath, limit, after }) =>
            m.remote.events.search(
              {
                ...input,
                nodePath,
                limit,
                cursor: eventCursorFor(after ? { kind: 'after', ...eventKeyOf(after) } : position, m),
              },
              signal,
            ),
          { pathFilter: input.nodePath, limit: input.limit, compare: byEventKey },
        );
        return mergeEventPages(results, input.limit);
      },
    },
    deadLetters: {
      list: async (input) => {
        const position = eventPosition(input.cursor);
        const results = await listAcross(
          (m, { signal, nodePath, limit, after }) =>
            m.remote.deadLetters.list(
              {
                ...input,
                nodePath,
                limit,
                cursor: eventCursorFor(after ? { kind: 'after', ...deadLetterKeyOf(after) } : position, m),
              },
              signal,
            ),
          { pathFilter: input.nodePath, limit: input.limit, compare: byDeadLetterKey },
        );
        return mergeDeadLetterPages(results, input.limit);
      },
    },
  };
}

function asMemberResult<T extends { nodePath: string }>(
  settled: Settled<Page<T>>,
  member: Member,
): MemberResult<Page<T>> {
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
