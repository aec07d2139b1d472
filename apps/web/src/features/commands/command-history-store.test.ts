import type { Command, CommandHistory } from '@tierscope/shared/schemas';
import { describe, expect, it } from 'vitest';
import { COMMAND_HISTORY_LIMIT } from './command-queries.ts';
import { withCommandChange } from './command-history-store.ts';

const command = (id: string, createdAt: number, state: Command['state'] = 'sent'): Command => ({
  id,
  nodePath: 'd1/p1',
  deviceId: 'dev-1',
  name: 'reboot',
  params: {},
  state,
  timeoutMs: 10_000,
  ttlMs: 300_000,
  createdBy: 'user:op',
  createdAt,
  sentAt: createdAt,
  finishedAt: null,
  result: null,
  error: null,
});
const history = (items: Command[]): CommandHistory => ({
  nodePath: 'd1/p1',
  deviceId: 'dev-1',
  items,
  nextCursor: null,
});

describe('withCommandChange', () => {
  it('replaces the listed copy of a command with its new state, in place', () => {
    const next = withCommandChange(history([command('b', 2), command('a', 1)]), command('a', 1, 'succeeded'));
    expect(next.items.map((c) => [c.id, c.state])).toEqual([
      ['b', 'sent'],
      ['a', 'succeeded'],
    ]);
  });

  it('puts a new command first and keeps the list to its length', () => {
    const full = history(Array.from({ length: COMMAND_HISTORY_LIMIT }, (_, i) => command(`c${i}`, 100 - i)));
    const next = withCommandChange(full, command('new', 200));
    expect(next.items[0]?.id).toBe('new');
    expect(next.items).toHaveLength(COMMAND_HISTORY_LIMIT);
    expect(next.items.at(-1)?.id).toBe(`c${COMMAND_HISTORY_LIMIT - 2}`);
  });
});
