import { describe, expect, it } from 'vitest';
import { parsePlainSearch, searchKeys, stringifyPlainSearch } from './url-search.ts';

describe('plain query strings', () => {
  it('parses key=value pairs as strings, numbers included', () => {
    expect(parsePlainSearch('?status=offline&node=district-1/probe-a&q=12')).toEqual({
      status: 'offline',
      node: 'district-1/probe-a',
      q: '12',
    });
  });

  it('writes readable links: empty values dropped, slashes kept', () => {
    expect(
      stringifyPlainSearch({ node: 'district-1/probe-a', q: 'pump 3', status: undefined, label: '' }),
    ).toBe('?node=district-1/probe-a&q=pump+3');
    expect(stringifyPlainSearch({})).toBe('');
  });

  it('round-trips what it writes', () => {
    const search = { q: 'a&b=c', label: 'room=2/3', from: '2026-11-22T10:00:00.000Z' };
    expect(parsePlainSearch(stringifyPlainSearch(search))).toEqual(search);
  });
});

describe('searchKeys', () => {
  const validate = searchKeys(['q', 'status']);

  it("keeps only the route's own keys with non-empty string values", () => {
    expect(validate({ q: 'pump', status: '', other: 'x', page: 3 })).toEqual({ q: 'pump' });
  });
});
