import { z } from 'zod';
import { NodeId, withProcedureDeadlines, type Actor, type NodeService } from '@tierscope/shared';
import { createHttpChildLink, type ChildLink } from './links/child-link.ts';
import type { DialTlsFiles } from './tls/tls-settings.ts';
import { budgetedDeadline, DEFAULT_BUDGET_MARGIN_MS } from './links/deadline-budget.ts';
import { clampDeadline, DEFAULT_DEADLINE_MS } from './query/fan-out.ts';
import { ChildAlertMirror } from './query/child-alert-mirror.ts';
import {
  ChildRosters,
  memoryJobSelectorStore,
  type ChildRosterStore,
  type JobSelectorStore,
} from './query/child-rosters.ts';
import { createFederatedNodeService, type FederatedNodeOptions } from './query/federated-node-service.ts';
import { outputPrefix } from './query/merge.ts';
import { remoteOfClient } from './query/node-calls.ts';
import { NodeUnreachableAlerts } from './query/unreachable-alerts.ts';
import { TierPolicy, type TierPolicyOptions } from './policy/tier-policy.ts';
import {
  ChildTokenRegistry,
  hashNodeToken,
  NodeToken,
  TokenHash,
  type ChildTokenStore,
} from './links/node-tokens.ts';
import {
  createHeartbeat,
  type ChildHealth,
  type Heartbeat,
  type HeartbeatOptions,
} from './links/heartbeat.ts';

// ---------------------------------------------------------------------------------------------
// The child list a node or the BFF is configured with.

/** Splits `a=x,b=y` into pairs; a part without `=` keeps an empty value, for the schema to refuse. */
function splitIdPairs(raw: string): Array<{ id: string; value: string }> {
  return raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const at = part.indexOf('=');
      return at < 0
        ? { id: part, value: '' }
        : { id: part.slice(0, at).trim(), value: part.slice(at + 1).trim() };
    });
}

function hasUniqueIds(children: ReadonlyArray<{ id: string }>): boolean {
  return new Set(children.map((c) => c.id)).size === children.length;
}

/**
 * `CHILDREN`: `id=url` pairs, comma-separated — `probe-c=http://127.0.0.1:4103,probe-d=http://…`.
 * The URL is the child's base URL (its tRPC endpoint is `<url>/trpc`) or the endpoint itself.
 */
export const ChildList = z
  .string()
  .transform((raw) => splitIdPairs(raw).map(({ id, value }) => ({ id, url: value })))
  .pipe(
    z
      .array(
        z.object({
          id: NodeId,
          url: z.url({ protocol: /^https?$/, error: 'child URL: http(s)://host:port' }),
        }),
      )
      .refine(hasUniqueIds, 'child ids must be unique'),
  );
export type ChildList = z.infer<typeof ChildList>;

/**
 * `UPLINK_CHILDREN`: `id=token` pairs, comma-separated — the children that dial this node's uplink
 * WebSocket with their node token. Tokens are at least 16 characters.
 */
/**
 * `UPLINK_CHILDREN=probe-a=sha256:<hex>,…`: each uplink child and the hash of its token (a plain
 * token is accepted too and hashed at once, for development; only the hash is kept).
 */
export const UplinkChildList = z
  .string()
  .transform((raw) => splitIdPairs(raw).map(({ id, value }) => ({ id, token: value })))
  .pipe(
    z
      .array(
        z.object({
          id: NodeId,
          token: z
            .union([TokenHash, NodeToken])
            .transform((value) => (TokenHash.safeParse(value).success ? value : hashNodeToken(value))),
        }),
      )
      .refine(hasUniqueIds, 'uplink child ids must be unique'),
  )
  .transform((children) => children.map(({ id, token }) => ({ id, tokenHash: token })));
export type UplinkChildList = z.infer<typeof UplinkChildList>;

/** The ids configured both as dialled children and as uplink children: a configuration error. */
export function childrenInBothLists(children: ChildList, uplinkChildren: UplinkChildList): string[] {
  const dialled = new Set(children.map((c) => c.id));
  return uplinkChildren.filter((c) => dialled.has(c.id)).map((c) => c.id);
}

/** The registry of uplink children's token hashes, from the configured list. */
export function childTokenRegistryOf(children: UplinkChildList, store?: ChildTokenStore): ChildTokenRegistry {
  return new ChildTokenRegistry(
    children.map((c) => [c.id, c.tokenHash] as const),
    store,
  );
}

/** `CHILD_TOKENS=probe-a=<token>,…`: the tokens this tier presents when it calls dialled children. */
export const ChildTokenList = z
  .string()
  .transform((raw) => splitIdPairs(raw).map(({ id, value }) => ({ id, token: value })))
  .pipe(z.array(z.object({ id: NodeId, token: NodeToken })).refine(hasUniqueIds, 'child ids must be unique'));
export type ChildTokenList = z.infer<typeof ChildTokenList>;

export function childEndpoint(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return trimmed.endsWith('/trpc') ? trimmed : `${trimmed}/trpc`;
}

/** Passive links for a configured child list; `tls` for https children (DIAL_*). */
export function httpLinksOf(
  children: ChildList,
  token?: (id: string) => string | undefined,
  tls?: () => DialTlsFiles | undefined,
): ChildLink[] {
  return children.map(({ id, url }) =>
    createHttpChildLink({
      id,
      url: childEndpoint(url),
      token: token && (() => token(id)),
      ...(tls && { tls }),
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// A federating node at run time: children that come and go, a heartbeat per child, and the
// service for one call under the caller's budget.

export interface FederationRuntimeOptions extends Pick<
  FederatedNodeOptions,
  'id' | 'isRoot' | 'self' | 'identity' | 'concurrency' | 'notifications'
> {
  /** The children known at start (passive links from config); more attach with `addChild`. */
  children?: readonly ChildLink[];
  /** This node's own fan-out deadline (100..10 000 ms, default 1500). */
  deadlineMs?: number;
  /** Kept out of a received budget for this node's own merge and answer. Default 100 ms. */
  budgetMarginMs?: number;
  heartbeat?: HeartbeatOptions;
  /** The uplink children's token hashes, so the tier can rotate and revoke them. */
  childTokens?: ChildTokenRegistry;
  /** The tier's own alerts; by default in memory, the BFF's in its database (shared by its replicas). */
  unreachable?: NodeUnreachableAlerts;
  /** Where the tier keeps the policy versions it authors, and how its node takes policy. */
  policy?: Pick<TierPolicyOptions, 'store' | 'inherited' | 'onAuthored' | 'logger'>;
  /** Where the tier keeps its children's last known devices; in memory without it. */
  rosterStore?: ChildRosterStore;
  /** Where the tier keeps the selectors of the bulk commands it took; the last 1 000 in memory without it. */
  jobSelectors?: JobSelectorStore;
}

export interface FederationRuntime {
  /**
   * The node service for one call. With `budgetMs` (what the caller has left, from
   * `x-tierscope-deadline-ms`), fan-outs take min(own deadline, budget − margin); every child call
   * made through an HTTP link carries the time left in turn.
   */
  service(budgetMs?: number, actor?: Actor): NodeService;
  /**
   * Attaches a child, or replaces the link of a child with the same id (a reconnected uplink). Its
   * heartbeat starts at once when the runtime is running. This is where uplink-attached children plug in.
   */
  addChild(link: ChildLink): void;
  /** Detaches a child; false when there was none with that id. */
  removeChild(id: string): boolean;
  children(): readonly ChildLink[];
  /** Liveness over the current children: one heartbeat per child, so attaching one resets no other. */
  readonly heartbeat: Heartbeat;
  /** The tier's own `node unreachable` alerts, raised and resolved from the heartbeat. */
  readonly unreachable: NodeUnreachableAlerts;
  /** The tier's policy versions and their rollout, when it keeps them. */
  readonly policy: TierPolicy | undefined;
  /** The children's last known devices (decision 38). */
  readonly rosters: ChildRosters;
  /** Starts every child's heartbeat, the alert mirrors, the roster syncs, the unreachable watch and the policy rollout. */
  start(): void;
  stop(): void;
}

/** How often the runtime compares child states to raise or resolve `node unreachable` alerts. */
const UNREACHABLE_CHECK_MS = 500;
/** A child is reported unreachable once silent this long: one missed beat on a busy host is no incident. */
const UNREACHABLE_AFTER_MS = 5000;
/** A child that has never answered is reported unreachable only after this long. */
const UNREACHABLE_GRACE_MS = 30_000;
/**
 * How often the uplink children's tokens are read back from the tier's database: a rotation made
 * through another replica drops that child's socket here within this long (its next handshake is
 * checked against the database at once).
 */
const CHILD_TOKEN_REFRESH_MS = 2000;
/** How often a book kept in the database reads the changes other replicas made (acks, raises). */
const UNREACHABLE_SYNC_MS = 1000;
/**
 * How often each child's roster is read again (a page walk of its devices, decision 38); a child
 * is also read when first seen up, and after each provisioning routed through the tier.
 */
const ROSTER_SYNC_MS = 60_000;

export function createFederationRuntime(options: FederationRuntimeOptions): FederationRuntime {
  const ownDeadlineMs = clampDeadline(options.deadlineMs ?? DEFAULT_DEADLINE_MS);
  const marginMs = options.budgetMarginMs ?? DEFAULT_BUDGET_MARGIN_MS;
  const members = new Map<string, { link: ChildLink; beat: Heartbeat }>();
  let running = false;
  const prefix = outputPrefix(options.id, options.isRoot);
  const unreachable = options.unreachable ?? new NodeUnreachableAlerts();
  const mirror = new ChildAlertMirror();
  const rosters = new ChildRosters(options.rosterStore);
  const jobSelectors = options.jobSelectors ?? memoryJobSelectorStore();
  const syncRoster = (childId: string) => {
    const member = members.get(childId);
    if (member)
      void rosters
        .sync(childId, remoteOfClient(member.link.client))
        .catch((error: unknown) =>
          options.policy?.logger.warn(
            { err: error, child: childId },
            'roster: sync failed; the last known one stays',
          ),
        );
  };
  // One child after another, so a tier with many children reads one roster at a time.
  const syncRosters = async () => {
    for (const health of heartbeat.health())
      if (health.state === 'up' && health.lastHeartbeatAt !== null)
        await rosters
          .sync(health.id, remoteOfClient(members.get(health.id)!.link.client))
          .catch(() => undefined);
  };
  let rosterTimer: NodeJS.Timeout | undefined;
  const follow = (link: ChildLink) => {
    const remote = remoteOfClient(link.client);
    mirror.follow({
      id: link.id,
      prefix,
      open: (lastEventId, handlers) => remote.watchAlerts(lastEventId, handlers),
    });
  };
  // A child is reported unreachable once the heartbeat has seen it up, or after a start-up grace.
  const seenUp = new Set<string>();
  // Children up at the last check: one coming (back) up has its roster read at once.
  const upNow = new Set<string>();
  let startedAt = 0;
  let unreachableTimer: NodeJS.Timeout | undefined;
  let stopFollowingTokens: (() => void) | undefined;
  let stopFollowingBook: (() => void) | undefined;
  const checkUnreachable = () => {
    const now = Date.now();
    for (const health of heartbeat.health()) {
      const path = `${prefix}${health.id}`;
      // Up only counts once the child has answered: before its first beat, "up" is just a start state.
      if (health.state !== 'up') upNow.delete(health.id);
      if (health.state === 'up' && health.lastHeartbeatAt !== null) {
        if (!upNow.has(health.id)) syncRoster(health.id);
        upNow.add(health.id);
        seenUp.add(health.id);
        unreachable.childUp(path, now);
      } else if (
        health.state === 'down' &&
        now - (health.lastHeartbeatAt ?? startedAt) >= UNREACHABLE_AFTER_MS &&
        (seenUp.has(health.id) || now - startedAt > UNREACHABLE_GRACE_MS)
      ) {
        // A child never heard from is down since this tier started: one episode, not one per check.
        unreachable.childDown(path, health.lastHeartbeatAt ?? startedAt);
      }
    }
  };

  const heartbeat: Heartbeat = {
    start() {
      running = true;
      for (const m of members.values()) m.beat.start();
    },
    stop() {
      running = false;
      for (const m of members.values()) m.beat.stop();
    },
    beat: () => Promise.all([...members.values()].map((m) => m.beat.beat())).then(() => undefined),
    isDown: (id) => members.get(id)?.beat.isDown(id) ?? true,
    health: () => [...members.values()].flatMap((m): ChildHealth[] => m.beat.health()),
  };

  // The policy's tree is this tier's own node.info (`service` is defined below; called later).
  const policy =
    options.policy &&
    new TierPolicy({
      ...options.policy,
      author: options.id,
      isRoot: options.isRoot,
      children: () => [...members.values()].map((m) => m.link),
      health: () => heartbeat.health(),
      tree: () => service().node.info(),
    });

  const addChild = (link: ChildLink) => {
    if (link.id === options.id) throw new Error(`a child cannot have this node's own id (${link.id})`);
    members.get(link.id)?.beat.stop();
    const beat = createHeartbeat([link], options.heartbeat);
    members.set(link.id, { link, beat });
    if (running) {
      beat.start();
      follow(link);
    }
    policy?.childAttached(link.id);
  };
  for (const link of options.children ?? []) addChild(link);

  const service: FederationRuntime['service'] = (budgetMs, actor) => {
    // A procedure with a deadline of its own (a rule preview) gets it, if longer than the tier's.
    const within = (ownMs: number) =>
      createFederatedNodeService({
        id: options.id,
        isRoot: options.isRoot,
        self: options.self,
        identity: options.identity,
        concurrency: options.concurrency,
        children: [...members.values()].map((m) => m.link),
        heartbeat,
        deadlineMs: budgetedDeadline(ownMs, budgetMs, marginMs),
        unreachable,
        mirror,
        rosters,
        jobSelectors,
        notifications: options.notifications,
        actor,
        ...(options.childTokens && { childTokens: options.childTokens }),
        ...(policy && { policy }),
      });
    return withProcedureDeadlines(within(ownDeadlineMs), (procedureMs) =>
      within(Math.max(ownDeadlineMs, clampDeadline(procedureMs))),
    );
  };

  return {
    service,
    policy,
    addChild,
    removeChild(id) {
      const member = members.get(id);
      member?.beat.stop();
      mirror.unfollow(id);
      return members.delete(id);
    },
    children: () => [...members.values()].map((m) => m.link),
    heartbeat,
    unreachable,
    rosters,
    start: () => {
      heartbeat.start();
      startedAt = Date.now();
      for (const m of members.values()) follow(m.link);
      unreachableTimer = setInterval(checkUnreachable, UNREACHABLE_CHECK_MS);
      unreachableTimer.unref();
      void rosters
        .load()
        .catch((error: unknown) =>
          options.policy?.logger.warn({ err: error }, 'roster: the kept rosters could not be read'),
        );
      rosterTimer = setInterval(() => void syncRosters(), ROSTER_SYNC_MS);
      rosterTimer.unref();
      stopFollowingTokens = options.childTokens?.follow(CHILD_TOKEN_REFRESH_MS);
      stopFollowingBook = unreachable.follow(UNREACHABLE_SYNC_MS);
      void policy
        ?.start()
        .catch((error: unknown) =>
          options.policy?.logger.warn(
            { err: error },
            'policy: start failed; the book is read again every second',
          ),
        );
    },
    stop: () => {
      heartbeat.stop();
      clearInterval(unreachableTimer);
      clearInterval(rosterTimer);
      stopFollowingTokens?.();
      stopFollowingBook?.();
      policy?.stop();
      mirror.stop();
      // Without waiting out the grace the shared streams keep for subscribers that come back.
      for (const m of members.values()) remoteOfClient(m.link.client).closeAlertStream();
    },
  };
}
