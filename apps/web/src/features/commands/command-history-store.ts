import { OPEN_COMMAND_STATES, type Command, type CommandHistory } from '@tierscope/shared/schemas';
import { COMMAND_HISTORY_LIMIT } from './command-queries.ts';

/*
 * A device page hears of a command three ways that can overtake each other: the send mutation's
 * answer, the watch stream and a read of the history. A settled command never changes again, so a
 * settled copy is always the latest news: an open copy of it is one that left the node before.
 */

const isOpen = (command: Command) => OPEN_COMMAND_STATES.includes(command.state);

/** The copy to show: `incoming`, unless `known` has settled and `incoming` still says open. */
function latestOf(known: Command | undefined, incoming: Command): Command {
  return known !== undefined && !isOpen(known) && isOpen(incoming) ? known : incoming;
}

/**
 * A history with one command as a change stream or a send reports it: the listed copy replaced in
 * place (unless it has settled and the report has not), or a new command put in its place, newest
 * first, the list kept to its length.
 */
export function withCommandChange(history: CommandHistory, command: Command): CommandHistory {
  const latest = latestOf(
    history.items.find((item) => item.id === command.id),
    command,
  );
  const rest = history.items.filter((item) => item.id !== command.id);
  const items = [...rest, latest]
    .sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id))
    .slice(0, Math.max(COMMAND_HISTORY_LIMIT, history.items.length));
  return { ...history, items };
}

/**
 * A history as read from the node, with each command that `known` holds settled kept settled: the
 * read left the node before the outcome that the stream has already delivered.
 */
export function withSettledKept(history: CommandHistory, known: Iterable<Command>): CommandHistory {
  const settled = new Map<string, Command>();
  for (const command of known) if (!isOpen(command)) settled.set(command.id, command);
  if (!history.items.some((item) => isOpen(item) && settled.has(item.id))) return history;
  return { ...history, items: history.items.map((item) => latestOf(settled.get(item.id), item)) };
}
