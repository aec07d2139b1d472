import { z } from 'zod';
import { parseRangeSearch, type RangeSelection } from '../../lib/time-range.ts';

/** The audit log's filters in the URL: `/admin/audit?actor=alice&action=user.&range=7d`. */
const AuditSearch = z.object({
  actor: z.string().trim().max(128).optional().catch(undefined),
  action: z.string().trim().max(128).optional().catch(undefined),
  target: z.string().trim().max(512).optional().catch(undefined),
  range: z.string().max(16).optional().catch(undefined),
  from: z.string().max(40).optional().catch(undefined),
  to: z.string().max(40).optional().catch(undefined),
});
export type AuditSearch = z.infer<typeof AuditSearch>;

export const DEFAULT_AUDIT_RANGE = '30d';

/**
 * The families `console.audit.list` matches by prefix (an action ending in "."), named for people.
 * The actions themselves are written by the BFF (`auth.login`, `user.create`, `node.token.rotate`…).
 */
export const ACTION_FAMILIES = [
  { value: 'auth.', label: 'Logins and logouts' },
  { value: 'user.', label: 'Users and passwords' },
  { value: 'session.', label: 'Revoked sessions' },
  { value: 'alert.', label: 'Alert acks' },
  { value: 'silence.', label: 'Silences' },
  { value: 'rule.', label: 'Alert rules' },
  { value: 'device.', label: 'Device commands' },
  { value: 'node.', label: 'Node tokens' },
] as const;

/** A value that does not parse is dropped rather than failing the page: a mistyped link still opens. */
export function parseAuditSearch(search: Record<string, unknown>): AuditSearch {
  const parsed = AuditSearch.parse(search);
  return {
    ...parsed,
    actor: parsed.actor || undefined,
    action: parsed.action || undefined,
    target: parsed.target || undefined,
  };
}

export function auditRange(search: AuditSearch): RangeSelection {
  return parseRangeSearch(search, DEFAULT_AUDIT_RANGE);
}
