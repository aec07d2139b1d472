import type { ConfigDifference, ConfigState } from './device-config.schemas.ts';

/** What a configuration's state is computed from (docs/decisions/0036-desired-configuration.md). */
export interface ConfigStateFacts {
  desired: { version: number; setAt: number; config: unknown };
  reported: { version: number; ok: boolean; config: unknown } | null;
  now: number;
  graceMs: number;
}

/**
 * In sync: the device reported the desired version, applied, with the desired document (or none).
 * Pending: it has not reported that version yet and the version is younger than the grace period.
 * Drifted: everything else. The node's list query says the same in SQL (device-configs.ts).
 */
export function configStateOf({ desired, reported, now, graceMs }: ConfigStateFacts): ConfigState {
  if (reported?.version === desired.version) {
    const sameDocument = reported.config == null || jsonEqual(reported.config, desired.config);
    return reported.ok && sameDocument ? 'in_sync' : 'drifted';
  }
  const behind = reported === null || reported.version < desired.version;
  return behind && now - desired.setAt < graceMs ? 'pending' : 'drifted';
}

/**
 * What the device's document lacks against the desired one, by JSON path: objects are compared key
 * by key, anything else (arrays, numbers, strings) as a whole. `added`: desired, not on the device;
 * `removed`: on the device, not desired; `changed`: both, different. In path order.
 */
export function configDiff(desired: unknown, reported: unknown, path = ''): ConfigDifference[] {
  if (isPlainObject(desired) && isPlainObject(reported)) {
    const keys = [...new Set([...Object.keys(desired), ...Object.keys(reported)])].sort();
    return keys.flatMap((key) => {
      const at = path === '' ? key : `${path}.${key}`;
      if (!(key in reported)) return [{ path: at, change: 'added' as const, desired: desired[key] }];
      if (!(key in desired)) return [{ path: at, change: 'removed' as const, reported: reported[key] }];
      return configDiff(desired[key], reported[key], at);
    });
  }
  return jsonEqual(desired, reported) ? [] : [{ path, change: 'changed', desired, reported }];
}

/** JSON equality: objects by their keys whatever their order, arrays element by element. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length && keys.every((key) => key in b && jsonEqual(a[key], b[key]))
    );
  }
  return false;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
