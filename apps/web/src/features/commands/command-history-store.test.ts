import type { Command, CommandHistory } from '@tierscope/shared/schemas';
import { describe, expect, it } from 'vitest';
import { COMMAND_HISTORY_LIMIT } from './command-queries.ts';
import { withCommandChange, withSettledKept } from './command-history-store.ts';

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

  it('keeps a settled copy when the send answers after the stream delivered the outcome', () => {
    const streamed = withCommandChange(history([]), command('a', 1, 'succeeded'));
    const answered = withCommandChange(streamed, command('a', 1, 'sent'));
    expect(answered.items.map((c) => [c.id, c.state])).toEqual([['a', 'succeeded']]);
  });

  it('moves an open command from queued to sent and back, as the node reports it', () => {
    const sent = withCommandChange(history([command('a', 1, 'queued')]), command('a', 1, 'sent'));
    expect(sent.items[0]?.state).toBe('sent');
    expect(withCommandChange(sent, command('a', 1, 'queued')).items[0]?.state).toBe('queued');
  });
});

describe('withSettledKept', () => {
  it('keeps the outcomes it knows over a read that still lists them open', () => {
    const read = history([command('b', 2, 'sent'), command('a', 1, 'sent')]);
    const kept = withSettledKept(read, [command('a', 1, 'timed_out'), command('b', 2, 'sent')]);
    expect(kept.items.map((c) => [c.id, c.state])).toEqual([
      ['b', 'sent'],
      ['a', 'timed_out'],
    ]);
  });

  it('takes the read as it is where it is as far along as what is known', () => {
    const read = history([command('b', 2, 'failed'), command('a', 1, 'succeeded')]);
    expect(withSettledKept(read, [command('a', 1, 'sent'), command('c', 3, 'succeeded')])).toBe(read);
  });
});
