import type { DeviceQuarantine } from '@tierscope/shared';

/** Whether the quarantine is in force at `at` (epoch ms): from its `at` until `until`, if any. */
export function quarantineInForce(quarantine: DeviceQuarantine, at: number): boolean {
  return quarantine.at <= at && (quarantine.until === null || at < quarantine.until);
}

/**
 * The node's quarantined devices, in memory, for the hot paths that ask per connection and per
 * message. A quarantine is in force from its `at` until `until` (or its release), so it lifts by
 * itself when `until` passes, without a timer.
 */
export class QuarantineList {
  private readonly entries: Map<string, DeviceQuarantine>;
  private readonly listeners = new Set<(deviceId: string) => void>();

  constructor(entries: Iterable<readonly [deviceId: string, quarantine: DeviceQuarantine]> = []) {
    this.entries = new Map(entries);
  }

  /** The device's quarantine in force at `at` (epoch ms), if any. */
  activeAt(deviceId: string, at: number): DeviceQuarantine | undefined {
    if (this.entries.size === 0) return undefined;
    const quarantine = this.entries.get(deviceId);
    return quarantine && quarantineInForce(quarantine, at) ? quarantine : undefined;
  }

  /** Puts the device in quarantine (replacing any it is in) and tells the listeners. */
  set(deviceId: string, quarantine: DeviceQuarantine): void {
    this.entries.set(deviceId, quarantine);
    for (const listener of this.listeners) listener(deviceId);
  }

  remove(deviceId: string): void {
    this.entries.delete(deviceId);
  }

  /** Calls `listener` with each device quarantined from now on; returns the function that stops it. */
  onQuarantined(listener: (deviceId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
