import { createHash } from 'node:crypto';
import { stringify } from 'safe-stable-stringify';

/**
 * `sha256:<hex>` of `value` as canonical JSON (keys sorted at every level), so the same policy
 * hashes the same at every tier whatever order its keys were written in.
 */
export function policyHash(value: unknown): string {
  const canonical = stringify(value) ?? 'null';
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}
