import type { Command } from '@tierscope/shared/schemas';
import { ScrollTable } from '../../components/ui/scroll-table.tsx';
import { formatTimestamp } from '../../lib/format.ts';
import { CommandStatePill } from './command-state.tsx';

const COLUMNS = [
  { header: 'Sent' },
  { header: 'Command' },
  { header: 'State' },
  { header: 'Result or error' },
  { header: 'By' },
] as const;

const json = (value: Record<string, unknown>) =>
  Object.keys(value).length === 0 ? '' : JSON.stringify(value);

/** A device's commands, newest first: what was asked, by whom, and what became of it. */
export function CommandHistoryTable({ label, commands }: { label: string; commands: readonly Command[] }) {
  return (
    <ScrollTable label={label} columns={COLUMNS}>
      {commands.map((command) => (
        <tr key={command.id} data-testid="command-row">
          <td>
            <time dateTime={new Date(command.createdAt).toISOString()}>
              {formatTimestamp(command.createdAt)}
            </time>
          </td>
          <td>
            <span className="mono">{command.name}</span>{' '}
            <span className="mono muted">{json(command.params)}</span>
          </td>
          <td>
            <CommandStatePill state={command.state} />
          </td>
          <td className="mono">{command.error ?? (command.result ? json(command.result) : '')}</td>
          <td>{command.createdBy.replace(/^user:/, '')}</td>
        </tr>
      ))}
    </ScrollTable>
  );
}
