import type { NodeId, NodeService } from '@tierscope/shared';
import {
  childTokenRegistryOf,
  createFederationRuntime,
  httpLinksOf,
  type ChildList,
  type ChildTokenList,
  type FederationRuntime,
  type FederationRuntimeOptions,
  type UplinkChildList,
} from './federation-runtime.ts';
import { sqlChildTokenStore, type ChildTokenRegistry } from './links/node-tokens.ts';
import type { UplinkLogger } from './links/uplink-protocol.ts';
import { systemClock } from './query/clock.ts';
import { NodeUnreachableAlerts, sqlUnreachableAlertStore } from './query/unreachable-alerts.ts';
import { sqlChildRosterStore, sqlJobSelectorStore } from './query/child-rosters.ts';
import { createUplinkServer, type UplinkServer } from './links/uplink-server.ts';
import { sqlPolicyVersionStore } from './policy/policy-book.ts';
import type { TierPolicyOptions } from './policy/tier-policy.ts';
import type { TlsCertificates } from './tls/tls-certificates.ts';

/** The federation settings every federating tier reads from its environment (CHILDREN, …). */
export interface FederationConfig {
  nodeId: NodeId;
  /** Children this tier dials. */
  children: ChildList;
  /** Children that dial this tier's uplink, with their token hashes. */
  uplinkChildren: UplinkChildList;
  /** The tokens this tier presents to the children it dials. */
  childTokens: ChildTokenList;
  federationDeadlineMs: number;
}

export interface FederationFromConfigOptions {
  config: FederationConfig;
  /** The root (the BFF) returns its children's paths unprefixed, and federates even with none. */
  isRoot: boolean;
  /** The tier's own devices, if it has any. */
  self?: NodeService;
  identity?: { name: string; version: string; startedAt: number };
  /** The tier's database: token rotations and revocations made at run time outlive a restart. */
  exec: (text: string, params?: readonly unknown[]) => Promise<Array<Record<string, unknown>>>;
  /**
   * Keep the tier's `node unreachable` alerts in its database (its migrations create the tables
   * `sqlUnreachableAlertStore` names), as the BFF and the node do: the BFF's replicas list, ack and
   * stream the same ones, and a tier's notifier feeds their changes to its routes from there.
   * Without it they are held in memory.
   */
  unreachableAlertsInDatabase?: boolean;
  /**
   * How the tier's node takes policy (its policy agent): the documents its parent handed it, and
   * the tier's own document for itself. The versions the tier authors are kept in its database's
   * `policy_versions` table.
   */
  policy?: Pick<TierPolicyOptions, 'inherited' | 'onAuthored'>;
  /** The notifications the tier itself sent about an alert (its outbox), listed with the owner's. */
  notifications?: FederationRuntimeOptions['notifications'];
  /**
   * The tier's certificates: the CA and client certificate it dials its children with, and the
   * client-certificate check of its uplink when only the uplink requires one (the BFF).
   */
  tls?: TlsCertificates;
  logger: UplinkLogger;
}

/** A tier's federation as its configuration makes it. */
export interface TierFederation {
  /** Undefined for a node that has no children (dialled or by uplink): it answers alone. */
  runtime: FederationRuntime | undefined;
  /** Takes the uplink children's sockets, when the tier has any. */
  uplink: UplinkServer | undefined;
  childTokens: ChildTokenRegistry;
}

/**
 * Builds the children, uplink server, token registry and runtime of a tier from its configuration:
 * the one wiring the node and the BFF share. Uplink children are members from the start,
 * `unreachable` until their socket attaches; a rotated or revoked token drops that child's socket
 * at once, and the others keep theirs.
 */
export async function federationFromConfig(options: FederationFromConfigOptions): Promise<TierFederation> {
  const { config, logger } = options;
  const childTokens = childTokenRegistryOf(config.uplinkChildren, sqlChildTokenStore(options.exec));
  await childTokens.refresh();
  const uplink =
    config.uplinkChildren.length > 0
      ? createUplinkServer({
          verifyToken: childTokens.verify,
          ...(options.tls && { admitsClient: options.tls.admitsClient.bind(options.tls) }),
          logger,
        })
      : undefined;
  if (uplink) childTokens.onChange((childId) => void uplink.drop(childId, 'token rotated or revoked'));
  if (!options.isRoot && config.children.length === 0 && !uplink)
    return { runtime: undefined, uplink, childTokens };
  const runtime = createFederationRuntime({
    id: config.nodeId,
    isRoot: options.isRoot,
    ...(options.self && { self: options.self }),
    ...(options.identity && { identity: options.identity }),
    children: [
      ...httpLinksOf(
        config.children,
        (id) => config.childTokens.find((c) => c.id === id)?.token,
        options.tls && (() => options.tls?.dial()),
      ),
      ...(uplink ? config.uplinkChildren.map((c) => uplink.link(c.id)) : []),
    ],
    deadlineMs: config.federationDeadlineMs,
    childTokens,
    notifications: options.notifications,
    ...(options.unreachableAlertsInDatabase && {
      unreachable: new NodeUnreachableAlerts(systemClock, sqlUnreachableAlertStore(options.exec)),
    }),
    policy: { ...options.policy, store: sqlPolicyVersionStore(options.exec), logger },
    rosterStore: sqlChildRosterStore(options.exec),
    jobSelectors: sqlJobSelectorStore(options.exec),
  });
  return { runtime, uplink, childTokens };
}
