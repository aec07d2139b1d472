import { NodePath } from '@tierscope/shared/domain';
import { CommandJobId, DeviceStatus, LabelFilter } from '@tierscope/shared/schemas';
import { z } from 'zod';

/**
 * The devices list's filters as they sit in the URL (`/devices?q=pump&status=offline&node=…`).
 * A value that does not parse is dropped rather than failing the page: a mistyped link still opens.
 */
export const DevicesSearch = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
  status: DeviceStatus.optional().catch(undefined),
  label: LabelFilter.optional().catch(undefined),
  node: NodePath.optional().catch(undefined),
  /** The bulk command whose progress is shown above the list. */
  job: CommandJobId.optional().catch(undefined),
});
export type DevicesSearch = z.infer<typeof DevicesSearch>;

export function parseDevicesSearch(search: Record<string, unknown>): DevicesSearch {
  const parsed = DevicesSearch.parse(search);
  return { ...parsed, q: parsed.q || undefined };
}
