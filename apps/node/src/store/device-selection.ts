import { BadRequestError, BULK_COMMAND_MAX_DEVICES, type CommandSelector } from '@tierscope/shared';
import type { RawExecutor } from './client.ts';

/** A device a selector picked, with what a bulk action checks. */
export interface SelectedDevice {
  id: string;
  kind: string;
  status: string;
}

/**
 * The devices of this node a selector picks (kind, site, label, status, ids; all given must match),
 * by id; more than BULK_COMMAND_MAX_DEVICES is a BadRequestError asking to narrow it. The selector's
 * `nodePath` is the caller's to check.
 */
export async function selectDevices(
  db: RawExecutor,
  selector: CommandSelector,
  nodePath: string,
): Promise<SelectedDevice[]> {
  const at = selector.label?.indexOf('=') ?? -1;
  const label = selector.label && { [selector.label.slice(0, at)]: selector.label.slice(at + 1) };
  const devices = await db.exec<{ id: string; kind: string; status: string }>(
    `SELECT d.id, d.kind, d.status FROM devices d
      WHERE ($1::text IS NULL OR d.kind = $1) AND ($2::text IS NULL OR d.site = $2)
        AND ($3::jsonb IS NULL OR d.labels @> $3::jsonb) AND ($4::text IS NULL OR d.status = $4)
        AND ($5::jsonb IS NULL OR d.id IN (SELECT jsonb_array_elements_text($5::jsonb)))
      ORDER BY d.id LIMIT $6`,
    [
      selector.kind ?? null,
      selector.site ?? null,
      label ? JSON.stringify(label) : null,
      selector.status ?? null,
      selector.deviceIds ? JSON.stringify(selector.deviceIds) : null,
      BULK_COMMAND_MAX_DEVICES + 1,
    ],
  );
  if (devices.length > BULK_COMMAND_MAX_DEVICES)
    throw new BadRequestError(
      `the selector picks more than ${BULK_COMMAND_MAX_DEVICES} devices on ${nodePath}: narrow it`,
    );
  return devices;
}
