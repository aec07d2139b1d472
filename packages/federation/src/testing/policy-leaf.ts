import {
  DesiredPolicy,
  resolvePolicy,
  type EffectivePolicy,
  type NodeInfo,
  type NodePolicyState,
  type NodeService,
} from '@tierscope/shared';
import { fakeNodeService } from '@tierscope/test-support/fake-node-service';
import { policyHash } from '../policy/policy-hash.ts';

/** A leaf that takes policy as a node's agent does, in memory: test controls below. */
export interface PolicyLeaf {
  service: NodeService;
  state(): NodePolicyState;
  effective(): EffectivePolicy | null;
  /** How many `policy.receive` calls reached it. */
  applyCalls(): number;
  /** Refuses what resolves to anything `refuse` names a reason for (null accepts). */
  refuse: (effective: EffectivePolicy) => string | null;
  /** Forgets what it held, as a node whose database was replaced. */
  forget(): void;
}

export function createPolicyLeaf(id: string): PolicyLeaf {
  let state: NodePolicyState = { desiredHash: null, applied: [], appliedAt: null, rejection: null };
  let effective: EffectivePolicy | null = null;
  let calls = 0;
  const info = (): NodeInfo => ({
    id,
    name: id,
    path: id,
    version: 'test',
    startedAt: 0,
    devices: { total: 0, online: 0 },
    ingest: { messagesTotal: 0, samplesTotal: 0, samplesPerSec: 0, queueDepth: 0, deadLettersTotal: 0 },
    broker: { connected: true, embedded: true, url: 'memory://' },
    database: { reachable: true, driver: 'pglite' },
    policy: state,
  });
  const leaf: PolicyLeaf = {
    refuse: () => null,
    state: () => state,
    effective: () => effective,
    applyCalls: () => calls,
    forget() {
      state = { desiredHash: null, applied: [], appliedAt: null, rejection: null };
      effective = null;
    },
    service: fakeNodeService({
      node: { info: async () => info() },
      policy: {
        receive: async (input) => {
          calls++;
          const desired = DesiredPolicy.parse(input);
          const resolved = resolvePolicy(desired.documents);
          const reason = leaf.refuse(resolved);
          const lastDocument = desired.documents.at(-1);
          const culprit =
            resolved.sources.at(-1) ??
            (lastDocument && { author: lastDocument.author, version: lastDocument.current.version });
          state = { ...state, desiredHash: policyHash(desired) };
          if (reason !== null && culprit) {
            state = {
              ...state,
              rejection: { author: culprit.author, version: culprit.version, reason, at: Date.now() },
            };
          } else {
            effective = resolved;
            state = { ...state, applied: resolved.sources, appliedAt: Date.now(), rejection: null };
          }
          return { state };
        },
      },
    }),
  };
  return leaf;
}
