import { DeviceId, NodePath, Severity } from '@tierscope/shared/domain';
import { z } from 'zod';
import { STATE_FILTERS, type AlertFilters } from './alert-filters.ts';

/**
 * The alerts page's filters in the URL: `/alerts?state=firing&severity=critical&node=district-1`.
 * A value that does not parse is dropped rather than failing the page: a mistyped link still opens.
 */
const AlertsSearch = z.object({
  state: z.enum(STATE_FILTERS).optional().catch(undefined),
  severity: Severity.optional().catch(undefined),
  node: NodePath.optional().catch(undefined),
  device: DeviceId.optional().catch(undefined),
  q: z.string().trim().max(200).optional().catch(undefined),
});

export function parseAlertsSearch(search: Record<string, unknown>): AlertFilters {
  const parsed = AlertsSearch.parse(search);
  return { ...parsed, q: parsed.q || undefined };
}
