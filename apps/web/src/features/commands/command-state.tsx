import type { CommandState } from '@tierscope/shared/schemas';

const TONES: Record<CommandState, 'ok' | 'warn' | 'bad' | 'neutral'> = {
  queued: 'neutral',
  sent: 'neutral',
  succeeded: 'ok',
  failed: 'bad',
  timed_out: 'warn',
  expired: 'warn',
};

/** A command's state in words: `timed_out` reads "timed out". */
export const commandStateLabel = (state: CommandState) => state.replace('_', ' ');

export function CommandStatePill({ state }: { state: CommandState }) {
  return (
    <span className="pill" data-tone={TONES[state]} data-testid="command-state">
      {commandStateLabel(state)}
    </span>
  );
}
