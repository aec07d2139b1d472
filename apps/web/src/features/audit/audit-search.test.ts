import { describe, expect, it } from 'vitest';
import { auditRange, parseAuditSearch } from './audit-search.ts';

describe('parseAuditSearch', () => {
  it('keeps the filters and drops what does not parse', () => {
    const search = parseAuditSearch({ actor: ' ana ', action: 'user.', target: '', range: '7d', from: 5 });
    expect(search).toEqual({
      actor: 'ana',
      action: 'user.',
      target: undefined,
      range: '7d',
      from: undefined,
    });
    expect(auditRange(search)).toEqual({ kind: 'preset', preset: '7d' });
  });

  it('shows the last 30 days unless told otherwise', () => {
    expect(auditRange(parseAuditSearch({}))).toEqual({ kind: 'preset', preset: '30d' });
  });
});
