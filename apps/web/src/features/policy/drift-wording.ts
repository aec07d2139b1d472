import type { PolicyNodeStatus, PolicyVersionSummary } from '@tierscope/shared/schemas';
import { formatAge, formatAgo, nodeName } from '../../lib/format.ts';

export type Tone = 'ok' | 'warn' | 'bad' | 'neutral';

const STATE_TONES: Record<PolicyNodeStatus['state'], Tone> = {
  applied: 'ok',
  pending: 'warn',
  rejected: 'bad',
  unreachable: 'neutral',
};

export interface DriftRow {
  tone: Tone;
  desired: string;
  applied: string;
  /** What the state means for this node, in a sentence: the rejection reason in full. */
  detail: string;
}

const versionText = (version: number | null) => (version === null ? 'none' : `v${version}`);

/** One node of `policy.status` as the drift table words it. */
export function describeDriftRow(node: PolicyNodeStatus, now: number): DriftRow {
  const row = {
    tone: STATE_TONES[node.state],
    desired: versionText(node.desiredVersion),
    applied: versionText(node.appliedVersion),
  };
  switch (node.state) {
    case 'applied':
      return { ...row, detail: `Runs ${row.applied}, applied ${formatAgo(node.appliedAt, now)}` };
    case 'pending':
      return { ...row, detail: `Taking ${row.desired}; runs ${row.applied} until then` };
    case 'rejected':
      return {
        ...row,
        detail: node.rejection
          ? `Refused v${node.rejection.version} ${formatAgo(node.rejection.at, now)}: ${node.rejection.reason}`
          : `Refused ${row.desired}; runs ${row.applied}`,
      };
    case 'unreachable':
      return {
        ...row,
        detail: `Last applied ${row.applied}, seen ${node.lastSeenAgeMs === null ? 'never' : `${formatAge(node.lastSeenAgeMs)} ago`}`,
      };
  }
}

export interface RolloutBanner {
  tone: Tone;
  title: string;
  detail: string;
}

/** Where the current version's rollout stands, over the nodes `policy.status` lists. */
export function describeRollout(
  current: PolicyVersionSummary | null,
  nodes: readonly PolicyNodeStatus[],
): RolloutBanner {
  if (!current)
    return {
      tone: 'neutral',
      title: 'No policy published yet',
      detail: 'Every node runs its own local settings until a version is published.',
    };
  const title = `Version ${current.version}`;
  const keeps = current.previousVersion === null ? 'no policy' : `version ${current.previousVersion}`;
  switch (current.phase) {
    case 'halted':
      return {
        tone: 'bad',
        title: `${title}: rollout halted`,
        detail: `${(current.haltReason ?? 'No reason was given').replace(/\.?$/, '.')} The other nodes keep ${keeps}.`,
      };
    case 'canary': {
      const canaries = nodes.filter((n) => n.canary);
      const done = canaries.filter((n) => n.state === 'applied' && n.appliedVersion === current.version);
      const waiting = canaries.filter((n) => !done.includes(n)).map((n) => nodeName(n.path));
      return {
        tone: 'warn',
        title: `${title}: with its canaries`,
        detail:
          `Waiting for canaries ${waiting.length > 0 ? waiting.join(', ') : current.canaries.map(nodeName).join(', ')}` +
          ` (${done.length} of ${canaries.length} applied) to hold for ${formatAge(current.canaryHoldMs)}; the other nodes keep ${keeps}.`,
      };
    }
    case 'released': {
      const applied = nodes.filter((n) => n.state === 'applied').length;
      return {
        tone: applied === nodes.length ? 'ok' : 'warn',
        title: `${title}: released`,
        detail: `${applied} of ${nodes.length} ${nodes.length === 1 ? 'node runs' : 'nodes run'} the version meant for them.`,
      };
    }
  }
}

/** `sha256:0123456789ab…` as its first 12 hex digits. */
export function shortHash(hash: string): string {
  return hash.replace(/^sha256:/, '').slice(0, 12);
}
