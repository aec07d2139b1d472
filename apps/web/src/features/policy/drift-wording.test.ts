import type { PolicyNodeStatus, PolicyVersionSummary } from '@tierscope/shared/schemas';
import { describe, expect, it } from 'vitest';
import { describeDriftRow, describeRollout, shortHash } from './drift-wording.ts';

const NOW = 1_700_000_000_000;
const node = (patch: Partial<PolicyNodeStatus>): PolicyNodeStatus => ({
  path: 'district-1/probe-a',
  state: 'applied',
  desiredVersion: 4,
  appliedVersion: 4,
  appliedAt: NOW - 5 * 60_000,
  rejection: null,
  canary: false,
  lastSeenAgeMs: 1_000,
  ...patch,
});
const version = (patch: Partial<PolicyVersionSummary>): PolicyVersionSummary => ({
  author: 'bff',
  version: 4,
  hash: `sha256:${'ab'.repeat(32)}`,
  comment: '',
  publishedBy: 'admin',
  publishedAt: NOW,
  canaries: [],
  canaryHoldMs: 30_000,
  phase: 'released',
  haltReason: null,
  rollbackOf: null,
  previousVersion: 3,
  ...patch,
});

describe('drift rows', () => {
  it('says when an applied node took its version', () => {
    expect(describeDriftRow(node({}), NOW)).toEqual({
      tone: 'ok',
      desired: 'v4',
      applied: 'v4',
      detail: 'Runs v4, applied 5 minutes ago',
    });
  });

  it('says what a pending node runs until it takes the desired version', () => {
    expect(describeDriftRow(node({ state: 'pending', appliedVersion: null }), NOW)).toMatchObject({
      tone: 'warn',
      applied: 'none',
      detail: 'Taking v4; runs none until then',
    });
  });

  it('gives a rejection’s reason in full', () => {
    const reason = 'bundle “edge”, rule hot: metric tmep is neither stored nor declared';
    const row = describeDriftRow(
      node({
        state: 'rejected',
        appliedVersion: 3,
        rejection: { author: 'bff', version: 4, reason, at: NOW - 2_000 },
      }),
      NOW,
    );
    expect(row).toMatchObject({ tone: 'bad', desired: 'v4', applied: 'v3' });
    expect(row.detail).toBe(`Refused v4 2 seconds ago: ${reason}`);
  });

  it('gives an unreachable node’s last applied version and when it was seen', () => {
    expect(
      describeDriftRow(node({ state: 'unreachable', appliedVersion: 2, lastSeenAgeMs: 3 * 3600_000 }), NOW)
        .detail,
    ).toBe('Last applied v2, seen 3 hours ago');
    expect(describeDriftRow(node({ state: 'unreachable', lastSeenAgeMs: null }), NOW).detail).toBe(
      'Last applied v4, seen never',
    );
  });
});

describe('rollout banner', () => {
  it('says when nothing is published', () => {
    expect(describeRollout(null, []).title).toBe('No policy published yet');
  });

  it('puts a halted rollout’s reason first', () => {
    expect(
      describeRollout(version({ phase: 'halted', haltReason: 'probe-a rejected v4: bad metric' }), []),
    ).toEqual({
      tone: 'bad',
      title: 'Version 4: rollout halted',
      detail: 'probe-a rejected v4: bad metric. The other nodes keep version 3.',
    });
  });

  it('names the canaries still awaited', () => {
    const banner = describeRollout(
      version({ phase: 'canary', canaries: ['district-1/probe-a', 'district-1/probe-b'] }),
      [
        node({ canary: true }),
        node({ path: 'district-1/probe-b', canary: true, state: 'pending', appliedVersion: 3 }),
        node({ path: 'district-2/probe-c', appliedVersion: 3, desiredVersion: 3 }),
      ],
    );
    expect(banner).toEqual({
      tone: 'warn',
      title: 'Version 4: with its canaries',
      detail:
        'Waiting for canaries probe-b (1 of 2 applied) to hold for 30 seconds; the other nodes keep version 3.',
    });
  });

  it('counts the nodes that run a released version', () => {
    expect(describeRollout(version({}), [node({}), node({ state: 'pending' })])).toMatchObject({
      tone: 'warn',
      detail: '1 of 2 nodes run the version meant for them.',
    });
  });

  it('shortens a hash to 12 hex digits', () => {
    expect(shortHash(`sha256:${'0123456789abcdef'.repeat(4)}`)).toBe('0123456789ab');
  });
});
