// Logins for the demo's simulated devices on probes that refuse anonymous devices (DEVICE_AUTH=required):
// made through each probe's own API, as an admin would, and handed to the simulator in a file.
import { execFile } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  credentialsCsv,
  readDeviceCsv,
  type DeviceCredentials,
  type ProvisionedCredentials,
  type ProvisionedDevices,
} from '@tierscope/shared';
import { entryArgs, REPO_ROOT, SIMULATOR_MAIN } from './processes.ts';

export interface ProbeApi {
  id: string;
  /** The probe's own HTTP address (its /trpc is called directly). */
  httpUrl: string;
  /** The parent token the probe asks for, when it asks for one (PARENT_TOKEN_HASHES). */
  token?: string | undefined;
}

/** The ids the simulator gives `devices` devices (they depend on the count only, never the seed). */
export async function simulatorFleetCsv(devices: number): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...entryArgs(SIMULATOR_MAIN), '--devices', String(devices), '--fleet-csv'],
    { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout;
}

/**
 * Makes the fleet's devices on the probe with new credentials (devices.provision); a device that
 * has credentials from an earlier start gets new ones (devices.rotateCredentials), since only the
 * probe's hash of the old password is left. Writes the logins to `<dir>/simulator-logins.csv`
 * (owner-only) and returns its path.
 */
export async function provisionSimulatorLogins(
  probe: ProbeApi,
  fleetCsv: string,
  dir: string,
): Promise<string> {
  const { rows, errors } = readDeviceCsv(fleetCsv, probe.id);
  if (errors.length > 0) throw new Error(`the simulator's fleet CSV: ${JSON.stringify(errors[0])}`);
  const logins: ProvisionedCredentials[] = [];
  for (let at = 0; at < rows.length; at += 500) {
    const batch = rows.slice(at, at + 500).map(({ nodePath: _path, ...row }) => row);
    const answer = await callProbe<ProvisionedDevices>(probe, 'devices.provision', { devices: batch });
    logins.push(...answer.created);
    for (const refused of answer.refused) {
      const rotated = await callProbe<DeviceCredentials>(probe, 'devices.rotateCredentials', {
        deviceId: refused.deviceId,
      });
      logins.push({ ...rotated, line: refused.line });
    }
  }
  const file = join(dir, 'simulator-logins.csv');
  writeFileSync(file, credentialsCsv(logins), { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

/**
 * Registers the fleet's devices on a probe that takes anonymous devices (devices.upsert): their
 * names, kinds and sites, so reports group them by kind and site. They get no credentials.
 */
export async function registerSimulatorFleet(probe: ProbeApi, fleetCsv: string): Promise<void> {
  const { rows, errors } = readDeviceCsv(fleetCsv, probe.id);
  if (errors.length > 0) throw new Error(`the simulator's fleet CSV: ${JSON.stringify(errors[0])}`);
  for (const { deviceId, name, kind, site, labels } of rows)
    await callProbe(probe, 'devices.upsert', { deviceId, name, kind, site, labels });
}

/** One tRPC mutation over plain HTTP (no client library needed for a JSON body and answer). */
async function callProbe<T>(probe: ProbeApi, path: string, input: unknown): Promise<T> {
  const response = await fetch(`${probe.httpUrl}/trpc/${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(probe.token !== undefined && { authorization: `Bearer ${probe.token}` }),
    },
    body: JSON.stringify(input),
  });
  const body = (await response.json()) as { result?: { data: T }; error?: { message: string } };
  if (!response.ok || !body.result)
    throw new Error(`${probe.id} ${path}: ${body.error?.message ?? response.status}`);
  return body.result.data;
}
