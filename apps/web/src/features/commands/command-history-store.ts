import type { Command, CommandHistory } from '@tierscope/shared/schemas';
import { COMMAND_HISTORY_LIMIT } from './command-queries.ts';

/**
 * A history with one command as a change stream reports it: the listed copy replaced in place, or a
 * new command put in its place, newest first, the list kept to its length.
 */
export function withCommandChange(history: CommandHistory, command: Command): CommandHistory {
  const rest = history.items.filter((item) => item.id !== command.id);
  const items = [...rest, command]
    .sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id))
    .slice(0, Math.max(COMMAND_HISTORY_LIMIT, history.items.length));
  return { ...history, items };
}
