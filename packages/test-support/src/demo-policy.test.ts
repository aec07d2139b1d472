import { describe, expect, it } from 'vitest';
import { demoPolicyFrom } from './demo-policy.ts';

const line = (entry: object) => JSON.stringify({ level: 30, time: 1, node: 'bff', ...entry });

describe('demoPolicyFrom', () => {
  it("reads the BFF's word on the demo policy from its log", () => {
    const log = [line({ msg: 'first admin created' }), line({ version: 1, msg: 'demo policy published' })];
    expect(demoPolicyFrom(log.join('\n'))).toEqual({ kind: 'published', version: 1 });
    expect(demoPolicyFrom(line({ version: null, msg: 'demo policy kept' }))).toEqual({ kind: 'kept' });
    expect(demoPolicyFrom(line({ err: {}, msg: 'demo policy not published' }))).toEqual({
      kind: 'not-published',
    });
  });

  it('waits while the BFF has said nothing, or is still writing the line', () => {
    expect(demoPolicyFrom(line({ msg: 'bff ready' }))).toBeUndefined();
    expect(demoPolicyFrom('{"level":30,"version":1,"msg":"demo policy pub')).toBeUndefined();
  });
});
