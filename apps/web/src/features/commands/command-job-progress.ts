import { isInSubtree } from '@tierscope/shared/domain';
import { OPEN_COMMAND_STATES, type CommandJob, type CommandJobOutcome } from '@tierscope/shared/schemas';

export interface JobProgress {
  /** Devices whose command reached a final state, or whose node did not answer. */
  done: number;
  /** Devices of the job (refused ones are not counted). */
  total: number;
  /** Final outcomes with at least one device, in the order a reader expects. */
  outcomes: { state: CommandJobOutcome; count: number }[];
  /**
   * Nodes that did not answer, with how many of their devices the job names `unreachable` from the
   * roster last known at `lastKnownAt`; null when the tier above never read one (devices unknown).
   */
  unreachable: { path: string; why: string; devices: number; lastKnownAt: number | null }[];
  /** True while a command can still change or a node may still answer: keep reading the job. */
  open: boolean;
}

const FINAL_ORDER: readonly CommandJobOutcome[] = [
  'succeeded',
  'failed',
  'timed_out',
  'expired',
  'unreachable',
];

/** How far a bulk command has come, read from its job as `devices.commandJob` answers it. */
export function jobProgress(job: CommandJob): JobProgress {
  const { total, byState } = job.counts;
  const pending = OPEN_COMMAND_STATES.reduce((sum, state) => sum + (byState[state] ?? 0), 0);
  const unreachable = job.coverage.nodes
    .filter((node) => node.state !== 'ok')
    .map((node) => ({
      path: node.path,
      why: node.message ?? node.state.replace('_', ' '),
      devices: job.items.filter(
        (item) => item.state === 'unreachable' && isInSubtree(item.nodePath, node.path),
      ).length,
      lastKnownAt: job.rosters.find((roster) => roster.nodePath === node.path)?.lastKnownAt ?? null,
    }));
  return {
    done: total - pending,
    total,
    outcomes: FINAL_ORDER.map((state) => ({ state, count: byState[state] ?? 0 })).filter((o) => o.count > 0),
    unreachable,
    open: pending > 0 || unreachable.length > 0,
  };
}
