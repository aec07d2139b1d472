import type { ConfigPayload, ConfigReportedPayload } from '@tierscope/shared/mqtt';
import { createRng, hashSeed, uniform } from './rng.ts';

/**
 * What a simulated device reports once it applied a desired configuration: the version, applied,
 * and the document it now runs (the node compares it with the desired one).
 */
export function configReport(desired: ConfigPayload): ConfigReportedPayload {
  return { version: desired.version, ok: true, config: desired.config };
}

/** How long the device takes to apply a version: a fixed draw per device and version, 50–500 ms. */
export function applyDelayMs(deviceId: string, version: number, seed: number): number {
  return uniform(createRng(hashSeed(seed, `config:${deviceId}:${version}`)), 50, 500);
}
