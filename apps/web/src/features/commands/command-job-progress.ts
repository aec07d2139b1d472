import { OPEN_COMMAND_STATES, type CommandJob, type CommandState } from '@tierscope/shared/schemas';

export interface JobProgress {
  /** Devices whose command reached a final state. */
  done: number;
  /** Devices that got a command (refused ones are not counted). */
  total: number;
  /** Final states with at least one device, in the order a reader expects. */
  outcomes: { state: CommandState; count: number }[];
  /** Nodes that did not answer: their devices are not in the job's items, so nothing is known of them. */
  unreachable: { path: string; why: string }[];
  /** True while a command can still change or a node may still answer: keep reading the job. */
  open: boolean;
}

const FINAL_ORDER: readonly CommandState[] = ['succeeded', 'failed', 'timed_out', 'expired'];

/** How far a bulk command has come, read from its job as `devices.commandJob` answers it. */
export function jobProgress(job: CommandJob): JobProgress {
  const { total, byState } = job.counts;
  const pending = OPEN_COMMAND_STATES.reduce((sum, state) => sum + (byState[state] ?? 0), 0);
  const unreachable = job.coverage.nodes
    .filter((node) => node.state !== 'ok')
    .map((node) => ({ path: node.path, why: node.message ?? node.state.replace('_', ' ') }));
  return {
    done: total - pending,
    total,
    outcomes: FINAL_ORDER.map((state) => ({ state, count: byState[state] ?? 0 })).filter((o) => o.count > 0),
    unreachable,
    open: pending > 0 || unreachable.length > 0,
  };
}
