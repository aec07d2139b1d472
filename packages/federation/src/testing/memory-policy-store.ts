import type { PolicyVersion } from '@tierscope/shared';
import type { PolicyVersionStore } from '../policy/policy-book.ts';

/** A `PolicyVersionStore` in memory, for tests; replicas given the same one share it. */
export function memoryPolicyVersionStore(): PolicyVersionStore & { versions: PolicyVersion[] } {
  const versions: PolicyVersion[] = [];
  return {
    versions,
    all: async () => versions.map((v) => structuredClone(v)),
    head: async () => {
      const last = versions.at(-1);
      return last ? { version: last.version, phase: last.phase } : null;
    },
    insert: async (version) => {
      if (versions.some((v) => v.version === version.version)) return false;
      versions.push(structuredClone(version));
      return true;
    },
    leaveCanary: async (version, phase, reason) => {
      const found = versions.find((v) => v.version === version && v.phase === 'canary');
      if (!found) return false;
      Object.assign(found, { phase, haltReason: reason });
      return true;
    },
  };
}
