import type { DeviceKind } from './device-kinds.ts';
import type { DeviceIdentity } from './device-model.ts';

export function siteId(index: number): string {
  return `s${String(index + 1).padStart(2, '0')}`;
}

/**
 * Deals `count` devices over `sites` sites and the given kinds, round-robin, with ids
 * `sim-<site>-<kind>-<n>` (n counts from 1 per site and kind). Ids depend only on the arguments,
 * never on the seed, so a restarted simulator reuses the same devices.
 */
export function buildFleet(count: number, sites: number, kinds: readonly DeviceKind[]): DeviceIdentity[] {
  const perSiteKind = new Map<string, number>();
  const fleet: DeviceIdentity[] = [];
  for (let i = 0; i < count; i++) {
    const site = siteId(i % sites);
    const kind = kinds[Math.floor(i / sites) % kinds.length]!;
    const key = `${site}/${kind}`;
    const n = (perSiteKind.get(key) ?? 0) + 1;
    perSiteKind.set(key, n);
    fleet.push({ id: `sim-${site}-${kind}-${n}`, kind, site });
  }
  return fleet;
}
