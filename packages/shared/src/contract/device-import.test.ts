import { describe, expect, it } from 'vitest';
import {
  credentialsCsv,
  importDevicesCsv,
  readCredentialsCsv,
  readDeviceCsv,
  type ProvisionBatch,
} from './device-import.ts';
import type { DeviceImportEvent, DeviceImportResult } from './device-provisioning.schemas.ts';

const collect = async (events: AsyncIterable<DeviceImportEvent>) => {
  const all: DeviceImportEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
};

const resultOf = (events: DeviceImportEvent[]): DeviceImportResult => {
  const last = events.at(-1);
  if (last?.kind !== 'result') throw new Error('no result last');
  return last;
};

/** A node that makes every device it is given, and remembers the batches. */
function recordingNodes() {
  const batches: Array<{ nodePath: string; ids: string[] }> = [];
  const provision: ProvisionBatch = async (nodePath, rows) => {
    batches.push({ nodePath, ids: rows.map((row) => row.deviceId) });
    return {
      nodePath,
      created: rows.map((row) => ({
        line: row.line,
        deviceId: row.deviceId,
        nodePath,
        username: row.deviceId,
        password: `pw-${row.deviceId}`,
        createdAt: 1,
      })),
      refused: [],
    };
  };
  return { batches, provision };
}

describe('readDeviceCsv', () => {
  it('reads rows with labels and a node per row, and numbers them by the line they start on', () => {
    const csv =
      'id,name,kind,site,labels,nodePath\n\nd1,"Pump\nNorth",pump,s1,zone=a;floor=2,d/p-a\nd2,Gate,,,,\n';
    const { rows, errors, records } = readDeviceCsv(csv, 'p-b');
    expect(errors).toEqual([]);
    expect(records).toBe(2);
    expect(rows).toEqual([
      {
        line: 3,
        deviceId: 'd1',
        name: 'Pump\nNorth',
        kind: 'pump',
        site: 's1',
        labels: { zone: 'a', floor: '2' },
        nodePath: 'd/p-a',
      },
      { line: 5, deviceId: 'd2', name: 'Gate', kind: '', site: '', labels: {}, nodePath: 'p-b' },
    ]);
  });

  it('reports each bad row by line and column, and keeps the good ones', () => {
    const csv = [
      'id,name,labels,nodePath',
      'ok-1,One,,',
      'bad id,Two,,',
      'ok-3,,,',
      'ok-4,Four,novalue,',
      'ok-5,Five,,Not/A/Path',
      'ok-1,Again,,',
      'ok-7,Seven',
    ].join('\n');
    const { rows, errors } = readDeviceCsv(csv, 'p');
    expect(rows.map((row) => row.deviceId)).toEqual(['ok-1']);
    expect(errors.map(({ line, column }) => [line, column])).toEqual([
      [3, 'id'],
      [4, 'name'],
      [5, 'labels'],
      [6, 'nodePath'],
      [7, 'id'],
      [8, undefined],
    ]);
    expect(errors[4]!.message).toContain('line 2');
  });

  it('refuses a header with an unknown or missing column, and a row with no node to go to', () => {
    expect(readDeviceCsv('id,nme\nx,y\n', 'p').errors).toEqual([
      expect.objectContaining({ line: 1, column: 'nme' }),
      expect.objectContaining({ line: 1, column: 'name' }),
    ]);
    expect(readDeviceCsv('id,name\nx,y\n', undefined).errors).toEqual([
      expect.objectContaining({ line: 2, column: 'nodePath' }),
    ]);
  });

  it('names the line of an unclosed quote', () => {
    expect(readDeviceCsv('id,name\nx,y\nz,"open\n', 'p').errors).toEqual([
      expect.objectContaining({ line: 3 }),
    ]);
  });
});

describe('importDevicesCsv', () => {
  const csv = ['id,name,nodePath', 'a1,A1,a', 'b1,B1,b', 'a2,A2,a', 'bad id,X,a', 'a3,A3,a'].join('\n');

  it('imports nothing from a file with errors unless asked to import the valid rows', async () => {
    const nodes = recordingNodes();
    const result = resultOf(
      await collect(importDevicesCsv({ csv, importValidRows: false }, nodes.provision)),
    );
    expect(nodes.batches).toEqual([]);
    expect(result).toMatchObject({
      imported: false,
      counts: { rows: 5, invalid: 1, created: 0, refused: 0 },
      errors: [expect.objectContaining({ line: 5, column: 'id' })],
    });
  });

  it('sends each node its rows in batches, reports progress, and returns every credential once', async () => {
    const nodes = recordingNodes();
    const events = await collect(
      importDevicesCsv({ csv, importValidRows: true }, nodes.provision, { batchSize: 2, concurrency: 1 }),
    );
    expect(nodes.batches).toEqual([
      { nodePath: 'a', ids: ['a1', 'a2'] },
      { nodePath: 'a', ids: ['a3'] },
      { nodePath: 'b', ids: ['b1'] },
    ]);
    const progress = events.filter((event) => event.kind === 'progress');
    expect(progress.at(-1)).toEqual({ kind: 'progress', total: 4, done: 4, created: 4, refused: 0 });
    const result = resultOf(events);
    expect(result.counts).toEqual({ rows: 5, invalid: 1, created: 4, refused: 0 });
    expect(result.created.map((row) => [row.line, row.nodePath])).toEqual([
      [2, 'a'],
      [3, 'b'],
      [4, 'a'],
      [6, 'a'],
    ]);
  });

  it('refuses the rows of a batch whose node failed, and imports the rest', async () => {
    const nodes = recordingNodes();
    const provision: ProvisionBatch = (nodePath, rows) =>
      nodePath === 'b' ? Promise.reject(new Error('node b is unreachable')) : nodes.provision(nodePath, rows);
    const result = resultOf(await collect(importDevicesCsv({ csv, importValidRows: true }, provision)));
    expect(result.counts).toMatchObject({ created: 3, refused: 1 });
    expect(result.refused).toEqual([
      { line: 3, deviceId: 'b1', nodePath: 'b', message: 'node b is unreachable' },
    ]);
  });
});

describe('credentialsCsv', () => {
  it('writes logins that readCredentialsCsv reads back, quoting what needs it', () => {
    const csv = credentialsCsv([
      { line: 2, deviceId: 'd1', nodePath: 'a/b', username: 'd1', password: 'p,1"x', createdAt: 0 },
    ]);
    expect(csv.split('\n')[0]).toBe('line,deviceId,nodePath,username,password');
    expect(readCredentialsCsv(csv)).toEqual(new Map([['d1', 'p,1"x']]));
  });
});
