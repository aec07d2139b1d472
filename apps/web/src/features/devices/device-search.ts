import { NodePath } from '@tierscope/shared/domain';
import { z } from 'zod';
import { parseRangeSearch, type RangeSelection } from '../../lib/time-range.ts';

/** A device page's URL: `/devices/<id>?node=district-1/probe-a&range=24h` (or `from`/`to`). */
const DeviceSearchFields = z.object({
  node: NodePath.optional().catch(undefined),
  range: z.string().max(16).optional().catch(undefined),
  from: z.string().max(40).optional().catch(undefined),
  to: z.string().max(40).optional().catch(undefined),
});
export type DeviceSearch = z.infer<typeof DeviceSearchFields>;

export const DEFAULT_DEVICE_RANGE = '24h';

export function parseDeviceSearch(search: Record<string, unknown>): DeviceSearch {
  return DeviceSearchFields.parse(search);
}

export function deviceRange(search: DeviceSearch): RangeSelection {
  return parseRangeSearch(search, DEFAULT_DEVICE_RANGE);
}
