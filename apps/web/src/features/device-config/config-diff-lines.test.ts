import { describe, expect, it } from 'vitest';
import { configDiffLines } from './config-diff-lines.ts';

describe('configDiffLines', () => {
  it('shows what the device lacks as +, what it has instead as −, a change as both', () => {
    expect(
      configDiffLines([
        { path: 'interval', change: 'changed', desired: 10, reported: 30 },
        { path: 'legacy', change: 'removed', reported: true },
        { path: 'net.retries', change: 'added', desired: 3 },
      ]),
    ).toEqual([
      { kind: 'removed', text: 'interval: 30' },
      { kind: 'added', text: 'interval: 10' },
      { kind: 'removed', text: 'legacy: true' },
      { kind: 'added', text: 'net.retries: 3' },
    ]);
  });
});
