import type { CommandJobOutcome } from '@tierscope/shared/schemas';

// A bulk job's `unreachable` device got no command: its node did not answer (decision 38).
const TONES: Record<CommandJobOutcome, 'ok' | 'warn' | 'bad' | 'neutral'> = {
  queued: 'neutral',
  sent: 'neutral',
  succeeded: 'ok',
  failed: 'bad',
  timed_out: 'warn',
  expired: 'warn',
  unreachable: 'warn',
};

/** A command's state in words: `timed_out` reads "timed out". */
export const commandStateLabel = (state: CommandJobOutcome) => state.replace('_', ' ');

export function CommandStatePill({ state }: { state: CommandJobOutcome }) {
  return (
    <span className="pill" data-tone={TONES[state]} data-testid="command-state">
      {commandStateLabel(state)}
    </span>
  );
}
