import type { NodeStore } from '../store/client.ts';
import { readDeviceAccess } from '../store/device-access.pg.ts';
import { DeviceAuthenticator } from './device-authenticator.ts';
import { QuarantineList } from './quarantine-list.ts';

/**
 * Who may connect to the node's broker and whose messages are refused: the state the embedded
 * broker, the ingest and the devices service share. The service writes changes to the store and
 * then here, so the hot paths never query the database.
 */
export interface DeviceAccess {
  authenticator: DeviceAuthenticator;
  quarantines: QuarantineList;
}

/** Nobody has credentials and nobody is quarantined (tests, and a node before its store is read). */
export function emptyDeviceAccess(): DeviceAccess {
  return { authenticator: new DeviceAuthenticator(), quarantines: new QuarantineList() };
}

/** The stored credentials and quarantines, read once at start. */
export async function loadDeviceAccess(store: NodeStore): Promise<DeviceAccess> {
  const { credentials, quarantines } = await readDeviceAccess(store.db);
  return {
    authenticator: new DeviceAuthenticator(
      credentials.map((row) => [row.deviceId, row.passwordHash] as const),
    ),
    quarantines: new QuarantineList(quarantines.map((row) => [row.deviceId, row.quarantine] as const)),
  };
}
