import { readCredentialsCsv } from '@tierscope/shared/device-import';
import { describe, expect, it } from 'vitest';
import { credentialsCsvText } from './credentials-csv.ts';

describe('credentialsCsvText', () => {
  it('writes a file the CLI reads back, quoting what needs quotes', () => {
    const text = credentialsCsvText([
      { line: 2, deviceId: 'a', nodePath: 'p/1', username: 'a', password: 'x,y"z', createdAt: 1 },
      { line: 3, deviceId: 'b', nodePath: 'p/1', username: 'b', password: 'plain', createdAt: 1 },
    ]);
    expect(text.split('\n')[0]).toBe('line,deviceId,nodePath,username,password');
    expect([...readCredentialsCsv(text)]).toEqual([
      ['a', 'x,y"z'],
      ['b', 'plain'],
    ]);
  });
});
