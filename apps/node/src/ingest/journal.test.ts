import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal, type JournalRecord } from './journal.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'journal-test-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function collect(journal: Journal, afterSeq: number): Promise<JournalRecord[]> {
  const records: JournalRecord[] = [];
  for await (const record of journal.replay(afterSeq)) records.push(record);
  return records;
}

function segmentFiles(): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.seg'))
    .sort();
}

describe('Journal', () => {
  it('numbers records from 1 and replays them with every field', async () => {
    const journal = Journal.open(dir);
    expect(journal.lastSeq).toBe(0);
    expect(
      journal.append('devices/a/telemetry', Buffer.from('{"metrics":{"t":1}}'), 1000, { packetId: 7 }),
    ).toBe(1);
    expect(
      journal.append('devices/b/status', Buffer.from('online'), 1001, { clientId: 'dev-b', packetId: 3 }),
    ).toBe(2);
    expect(journal.append('devices/c/telemetry', Buffer.alloc(0), 1002, { size: 300_000 })).toBe(3);
    const records = await collect(journal, 0);
    expect(records).toEqual([
      {
        seq: 1,
        topic: 'devices/a/telemetry',
        payload: Buffer.from('{"metrics":{"t":1}}'),
        receivedAt: 1000,
        size: 19,
        packetId: 7,
        clientId: undefined,
      },
      {
        seq: 2,
        topic: 'devices/b/status',
        payload: Buffer.from('online'),
        receivedAt: 1001,
        size: 6,
        packetId: 3,
        clientId: 'dev-b',
      },
      {
        seq: 3,
        topic: 'devices/c/telemetry',
        payload: Buffer.alloc(0),
        receivedAt: 1002,
        size: 300_000,
        packetId: undefined,
        clientId: undefined,
      },
    ]);
    expect((await collect(journal, 2)).map((r) => r.seq)).toEqual([3]);
    journal.close();
  });

  it('continues the sequence after a reopen', async () => {
    const first = Journal.open(dir);
    for (let i = 0; i < 5; i++) first.append('t', Buffer.from(String(i)), i);
    first.close();
    const second = Journal.open(dir);
    expect(second.lastSeq).toBe(5);
    expect(second.append('t', Buffer.from('5'), 5)).toBe(6);
    expect((await collect(second, 0)).map((r) => r.payload.toString())).toEqual([
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
    ]);
    second.close();
  });

  it('cuts a torn last record at open and appends after the last whole one', async () => {
    const first = Journal.open(dir);
    first.append('t', Buffer.from('one'), 1);
    first.append('t', Buffer.from('two'), 2);
    first.close();
    const path = join(dir, segmentFiles()[0]!);
    const whole = statSync(path).size;
    truncateSync(path, whole - 2); // the process died in the middle of writing record 2

    const second = Journal.open(dir);
    expect(second.lastSeq).toBe(1);
    expect(second.append('t', Buffer.from('three'), 3)).toBe(2);
    expect((await collect(second, 0)).map((r) => r.payload.toString())).toEqual(['one', 'three']);
    second.close();
  });

  it('cuts garbage after the last record (bad crc or length)', async () => {
    const first = Journal.open(dir);
    first.append('t', Buffer.from('one'), 1);
    first.close();
    const path = join(dir, segmentFiles()[0]!);
    const whole = statSync(path).size;
    appendFileSync(
      path,
      Buffer.from([
        40, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
      ]),
    );
    const second = Journal.open(dir);
    expect(statSync(path).size).toBe(whole);
    expect(second.lastSeq).toBe(1);
    second.close();
  });

  it('rotates segments and releases only those wholly at or below the checkpoint', async () => {
    const journal = Journal.open(dir, { segmentMaxBytes: 200 });
    for (let i = 1; i <= 20; i++) journal.append('devices/x/telemetry', Buffer.alloc(60, i), i);
    const before = segmentFiles();
    expect(before.length).toBeGreaterThan(3);
    const secondFirstSeq = Number(before[1]!.slice(0, 16));

    expect(journal.release(secondFirstSeq - 2)).toBe(0);
    expect(journal.release(secondFirstSeq - 1)).toBe(1);
    expect(segmentFiles()).toEqual(before.slice(1));
    expect((await collect(journal, secondFirstSeq - 1)).map((r) => r.seq)[0]).toBe(secondFirstSeq);

    journal.release(20);
    expect(segmentFiles()).toHaveLength(1); // the active segment stays
    journal.close();
    const reopened = Journal.open(dir);
    expect(reopened.lastSeq).toBe(20);
    reopened.close();
  });

  it('writes held records into the segment they were numbered in when a held append rotates', async () => {
    const journal = Journal.open(dir, { segmentMaxBytes: 300 });
    for (let i = 1; i <= 12; i++)
      journal.append('devices/x/telemetry', Buffer.alloc(60, i), i, { hold: true, packetId: i });
    journal.flush();
    const segments = segmentFiles();
    expect(segments.length).toBeGreaterThan(2);
    const records = await collect(journal, 0);
    expect(records.map((r) => r.seq)).toEqual([...Array(12).keys()].map((k) => k + 1));
    expect(records.every((r) => r.payload.equals(Buffer.alloc(60, r.seq)))).toBe(true);
    journal.close();
    // Each segment starts with the record its name says: recovery accepts every one of them.
    const reopened = Journal.open(dir);
    expect(reopened.lastSeq).toBe(12);
    expect(reopened.findRedelivery('devices/x/telemetry', Buffer.alloc(60, 12), 60, 12)).toBe(12);
    expect(reopened.findRedelivery('devices/x/telemetry', Buffer.alloc(60, 11), 60, 12)).toBeUndefined();
    reopened.close();
  });

  it('starts above the store checkpoint when the journal is behind it (lost or new)', () => {
    const journal = Journal.open(dir, { minLastSeq: 41 });
    expect(journal.append('t', Buffer.from('x'), 1)).toBe(42);
    journal.close();
    const reopened = Journal.open(dir, { minLastSeq: 41 });
    expect(reopened.lastSeq).toBe(42);
    reopened.close();
  });

  it('recognises a redelivery of a recent record by packet id, client, topic and payload, also after a reopen', () => {
    const first = Journal.open(dir);
    const payload = Buffer.from('{"metrics":{"t":1}}');
    first.append('devices/a/telemetry', payload, 1, { packetId: 9, clientId: 'dev-a' });
    first.close();
    const journal = Journal.open(dir);
    expect(journal.findRedelivery('devices/a/telemetry', payload, payload.length, 9, 'dev-a')).toBe(1);
    expect(
      journal.findRedelivery('devices/a/telemetry', payload, payload.length, 9, 'dev-b'),
    ).toBeUndefined();
    expect(
      journal.findRedelivery('devices/a/telemetry', payload, payload.length, 10, 'dev-a'),
    ).toBeUndefined();
    expect(
      journal.findRedelivery(
        'devices/a/telemetry',
        Buffer.from('{"metrics":{"t":2}}'),
        payload.length,
        9,
        'dev-a',
      ),
    ).toBeUndefined();
    journal.close();
  });

  it('reports its size and syncs without error', () => {
    const journal = Journal.open(dir, { syncIntervalMs: 10 });
    journal.append('t', Buffer.from('abc'), 1);
    journal.sync();
    expect(journal.stats()).toEqual({ lastSeq: 1, segments: 1, bytes: 8 + 26 + 1 + 3 });
    journal.close();
  });

  it('keeps held records out of the file until flush, then writes them in order; a crash before loses only them', async () => {
    const journal = Journal.open(dir);
    journal.append('t', Buffer.from('a'), 1);
    expect(journal.append('t', Buffer.from('b'), 2, { hold: true })).toBe(2);
    expect(journal.append('t', Buffer.from('c'), 3, { hold: true, packetId: 4 })).toBe(3);
    expect(journal.heldRecords).toBe(2);
    expect(journal.findRedelivery('t', Buffer.from('c'), 1, 4)).toBe(3);
    // What a process killed now would leave on disk: only the first record.
    const crashed = Journal.open(dir);
    expect((await collect(crashed, 0)).map((r) => r.payload.toString())).toEqual(['a']);
    crashed.close();
    journal.flush();
    expect(journal.heldRecords).toBe(0);
    expect((await collect(journal, 0)).map((r) => [r.seq, r.payload.toString()])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    // A write-through append writes any held records first.
    journal.append('t', Buffer.from('d'), 4, { hold: true });
    journal.append('t', Buffer.from('e'), 5);
    expect((await collect(journal, 3)).map((r) => r.payload.toString())).toEqual(['d', 'e']);
    journal.close();
  });
});
