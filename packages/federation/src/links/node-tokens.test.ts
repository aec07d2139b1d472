import { describe, expect, it } from 'vitest';
import {
  ChildTokenRegistry,
  hashNodeToken,
  type ChildTokenChange,
  type ChildTokenStore,
} from './node-tokens.ts';

/** A store in memory, as the tier's database table would be. */
function memoryStore(): ChildTokenStore & { rows: Map<string, ChildTokenChange> } {
  const rows = new Map<string, ChildTokenChange>();
  return {
    rows,
    load: async () => [...rows.values()],
    save: async (change) => void rows.set(change.childId, change),
  };
}

const configured = [
  ['probe-a', hashNodeToken('configured token of probe-a')],
  ['probe-b', hashNodeToken('configured token of probe-b')],
] as const;

describe('child token registry with a store', () => {
  it('brings back a rotation and a revocation after a restart', async () => {
    const store = memoryStore();
    const before = new ChildTokenRegistry(configured, store);
    const rotated = await before.rotate('probe-a');
    expect(await before.revoke('probe-b')).toBe(true);

    const after = new ChildTokenRegistry(configured, store);
    await after.refresh();
    expect(await after.verify('probe-a', rotated)).toBe(true);
    expect(await after.verify('probe-a', 'configured token of probe-a')).toBe(false);
    expect(await after.verify('probe-b', 'configured token of probe-b')).toBe(false);
    expect(await after.revoke('probe-b')).toBe(false);
  });

  it('lets a configured hash changed since the rotation win over the saved one', async () => {
    const store = memoryStore();
    const rotated = await new ChildTokenRegistry(configured, store).rotate('probe-a');

    const reconfigured = new ChildTokenRegistry(
      [['probe-a', hashNodeToken('the operator chose this one')], configured[1]],
      store,
    );
    await reconfigured.refresh();
    expect(await reconfigured.verify('probe-a', 'the operator chose this one')).toBe(true);
    expect(await reconfigured.verify('probe-a', rotated)).toBe(false);
  });

  it('saves a change before it takes effect: a failed save changes nothing', async () => {
    const failing: ChildTokenStore = {
      load: async () => [],
      save: async () => {
        throw new Error('database down');
      },
    };
    const registry = new ChildTokenRegistry(configured, failing);
    const dropped: string[] = [];
    registry.onChange((id) => dropped.push(id));
    await expect(registry.rotate('probe-a')).rejects.toThrow('database down');
    expect(await registry.verify('probe-a', 'configured token of probe-a')).toBe(true);
    expect(dropped).toEqual([]);
  });

  it('refuses at the next handshake on one replica a token rotated through another, and drops its socket there', async () => {
    const shared = memoryStore();
    const replicaA = new ChildTokenRegistry(configured, shared);
    const replicaB = new ChildTokenRegistry(configured, shared);
    await Promise.all([replicaA.refresh(), replicaB.refresh()]);
    const droppedAtB: string[] = [];
    replicaB.onChange((id) => droppedAtB.push(id));

    const rotated = await replicaA.rotate('probe-a');
    // B has not refreshed yet: the handshake itself reads the store.
    expect(await replicaB.verify('probe-a', 'configured token of probe-a')).toBe(false);
    expect(await replicaB.verify('probe-a', rotated)).toBe(true);
    expect(droppedAtB).toEqual(['probe-a']);

    expect(await replicaA.revoke('probe-b')).toBe(true);
    await replicaB.refresh();
    expect(droppedAtB).toEqual(['probe-a', 'probe-b']);
    expect(await replicaB.verify('probe-b', 'configured token of probe-b')).toBe(false);
    // Revoked through A, so B has nothing left to revoke either.
    expect(await replicaB.revoke('probe-b')).toBe(false);
  });

  it('never lets a read that started before its own rotation bring the old token back', async () => {
    const rows = new Map<string, ChildTokenChange>();
    let releaseFirstRead: (() => void) | undefined;
    const slowStore: ChildTokenStore = {
      load: async () => {
        const snapshot = [...rows.values()];
        // The first read is slow: it answers with the rows as they were before the rotation.
        if (!releaseFirstRead) await new Promise<void>((resolve) => (releaseFirstRead = resolve));
        return snapshot;
      },
      save: async (change) => void rows.set(change.childId, change),
    };
    const registry = new ChildTokenRegistry(configured, slowStore);
    const changes: string[] = [];
    registry.onChange((id) => changes.push(id));
    const staleRead = registry.refresh();
    const rotation = registry.rotate('probe-a');
    await new Promise((resolve) => setImmediate(resolve));
    releaseFirstRead!();
    await staleRead;
    const token = await rotation;
    expect(await registry.verify('probe-a', token)).toBe(true);
    // One change, the rotation's: the older read never put the configured token back in between.
    expect(changes).toEqual(['probe-a']);
  });

  it('refuses to rotate a child that is not configured', async () => {
    await expect(new ChildTokenRegistry(configured).rotate('probe-z')).rejects.toThrow(/not an uplink child/);
  });
});
