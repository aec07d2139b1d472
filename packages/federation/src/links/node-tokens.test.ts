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
    await after.restore();
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
    await reconfigured.restore();
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

  it('refuses to rotate a child that is not configured', async () => {
    await expect(new ChildTokenRegistry(configured).rotate('probe-z')).rejects.toThrow(/not an uplink child/);
  });
});
