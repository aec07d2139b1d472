import { afterEach, describe, expect, it } from 'vitest';
import { federationFromConfig, type TierFederation } from './federation-from-config.ts';
import { ChildList, ChildTokenList, UplinkChildList } from './federation-runtime.ts';
import { hashNodeToken } from './links/node-tokens.ts';

/** A token table that starts empty and keeps what is written, as the tier's database would. */
function memoryTokenTable() {
  const rows: Record<string, unknown>[] = [];
  return async (text: string, params?: readonly unknown[]) => {
    if (text.trim().startsWith('SELECT')) return rows;
    rows.push({ child_id: params?.[0], token_hash: params?.[1], configured_hash: params?.[2] });
    return [];
  };
}

const silent = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
const built: TierFederation[] = [];

async function tier(options: { isRoot: boolean; children?: string; uplinkChildren?: string }) {
  const federation = await federationFromConfig({
    config: {
      nodeId: 'district-1',
      children: ChildList.parse(options.children ?? ''),
      uplinkChildren: UplinkChildList.parse(options.uplinkChildren ?? ''),
      childTokens: ChildTokenList.parse(''),
      federationDeadlineMs: 1000,
    },
    isRoot: options.isRoot,
    exec: memoryTokenTable(),
    logger: silent,
  });
  built.push(federation);
  return federation;
}

afterEach(async () => {
  for (const federation of built.splice(0)) {
    federation.runtime?.stop();
    await federation.uplink?.close();
  }
});

describe('federationFromConfig', () => {
  it('gives a node without children no runtime and no uplink server: it answers alone', async () => {
    const leaf = await tier({ isRoot: false });
    expect(leaf.runtime).toBeUndefined();
    expect(leaf.uplink).toBeUndefined();
  });

  it('gives the root a runtime even with no children', async () => {
    expect((await tier({ isRoot: true })).runtime?.children()).toEqual([]);
  });

  it('makes dialled and uplink children members from the start, and an uplink server for the latter', async () => {
    const district = await tier({
      isRoot: false,
      children: 'probe-c=http://127.0.0.1:1',
      uplinkChildren: `probe-a=${hashNodeToken('a'.repeat(43))}`,
    });
    expect(district.runtime?.children().map((link) => link.id)).toEqual(['probe-c', 'probe-a']);
    expect(district.uplink).toBeDefined();
    expect(district.childTokens.knows('probe-a')).toBe(true);
  });
});
