import {
  BadRequestError,
  importDevicesCsv,
  type DevicesService,
  type NewDevice,
  type ProvisionedDevices,
  type ProvisionRow,
} from '@tierscope/shared';
import { hashDevicePassword, newDevicePassword } from '../access/device-password.ts';
import { storeNewDevices } from '../store/device-access.pg.ts';
import { assertOwnPath } from './local-devices.service.ts';
import type { LocalNodeServiceDeps } from './local-node.types.ts';

type ProvisioningService = Pick<DevicesService, 'create' | 'provision' | 'importCsv'>;

/**
 * Devices made on this node with credentials, one at a time, by batch or from a CSV
 * (docs/decisions/0025-device-provisioning.md). Each password exists only in the answer.
 */
export function createLocalDeviceProvisioning(deps: LocalNodeServiceDeps): ProvisioningService {
  const now = deps.now ?? Date.now;

  const provisionRows = async (
    rows: readonly ProvisionRow[],
    actor: Parameters<DevicesService['provision']>[1],
  ) => {
    const withPasswords = rows.map((row) => {
      const password = newDevicePassword();
      return { row, password, passwordHash: hashDevicePassword(password) };
    });
    const createdAt = now();
    const made = await storeNewDevices(
      deps.store.db,
      withPasswords.map(({ row, passwordHash }) => ({ ...newDeviceOf(row), passwordHash })),
      new Date(createdAt),
      actor,
    );
    const answer: ProvisionedDevices = { nodePath: deps.nodePath, created: [], refused: [] };
    for (const { row, password, passwordHash } of withPasswords) {
      if (!made.has(row.deviceId)) {
        answer.refused.push({
          line: row.line,
          deviceId: row.deviceId,
          message: `device ${row.deviceId} has credentials on ${deps.nodePath} already: rotate them instead`,
        });
        continue;
      }
      deps.deviceAccess?.authenticator.setPasswordHash(row.deviceId, passwordHash);
      deps.onDeviceRegistered?.({ id: row.deviceId, labels: row.labels });
      answer.created.push({
        line: row.line,
        deviceId: row.deviceId,
        nodePath: deps.nodePath,
        username: row.deviceId,
        password,
        createdAt,
      });
    }
    return answer;
  };

  const provision: ProvisioningService['provision'] = async (input, actor) => {
    assertOwnPath(input, deps.nodePath);
    return provisionRows(input.devices, actor);
  };

  return {
    provision,

    async create(input, actor) {
      assertOwnPath(input, deps.nodePath);
      const { created, refused } = await provisionRows([{ ...newDeviceOf(input), line: 1 }], actor);
      const [credentials] = created;
      if (!credentials)
        throw new BadRequestError(refused[0]?.message ?? `device ${input.deviceId} was not made`);
      const { line: _line, ...rest } = credentials;
      return rest;
    },

    importCsv: (input, actor) =>
      importDevicesCsv(input, (nodePath, rows) => provision({ nodePath, devices: rows }, actor), {
        defaultNodePath: deps.nodePath,
      }),
  };
}

function newDeviceOf({ deviceId, name, kind, site, labels }: NewDevice): NewDevice {
  return { deviceId, name, kind, site, labels };
}
