import { describe, expect, it } from 'vitest';
import { canonicalJson, chainHash, GENESIS_HASH } from './audit.ts';

const entry = {
  at: '2026-01-05T09:00:00.000Z',
  actor: 'ada',
  action: 'user.create',
  target: 'sam',
  address: '192.0.2.1',
  details: { role: 'viewer', scope: ['**'] },
};

describe('audit chain hashing', () => {
  it('writes JSON with keys sorted at every depth, so key order never changes a hash', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 'x', c: null }], e: { g: true, f: 1.5 } })).toBe(
      '{"a":[{"c":null,"d":"x"}],"b":1,"e":{"f":1.5,"g":true}}',
    );
    expect(canonicalJson({ b: 2, a: 1 })).toBe(canonicalJson({ a: 1, b: 2 }));
  });

  it('hashes the previous hash with the entry, so any change to either shows', () => {
    const first = chainHash(GENESIS_HASH, entry);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(chainHash(GENESIS_HASH, { ...entry })).toBe(first);
    expect(chainHash(GENESIS_HASH, { ...entry, target: 'tom' })).not.toBe(first);
    expect(chainHash(first, entry)).not.toBe(first);
  });
});
