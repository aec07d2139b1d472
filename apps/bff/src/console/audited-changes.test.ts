import { describe, expect, it } from 'vitest';
import { auditEventOf } from './audited-changes.ts';

describe('auditEventOf', () => {
  it('targets the owning node and the item, and keeps the rest of the input as details', () => {
    expect(
      auditEventOf({
        action: 'alert.ack',
        input: { nodePath: 'district-1/probe-a', id: 'a-7', note: 'on it' },
        output: { id: 'a-7', nodePath: 'district-1/probe-a' },
      }),
    ).toEqual({ action: 'alert.ack', target: 'district-1/probe-a/a-7', details: { note: 'on it' } });
  });

  it("takes a created item's id from the answer", () => {
    expect(
      auditEventOf({
        action: 'silence.create',
        input: { nodePath: 'probe-d', kind: 'silence', matchers: {}, endsAt: 5, comment: 'maintenance' },
        output: { id: 's-1', nodePath: 'probe-d' },
      }),
    ).toMatchObject({ target: 'probe-d/s-1', details: { kind: 'silence', comment: 'maintenance' } });
  });

  it('names a rule by its id and a device by its device id', () => {
    expect(
      auditEventOf({
        action: 'rule.upsert',
        input: { nodePath: 'probe-d', rule: { id: 'warm' } },
        output: {},
      }).target,
    ).toBe('probe-d/warm');
    expect(
      auditEventOf({ action: 'device.release', input: { nodePath: 'probe-d', deviceId: 'd1' }, output: {} }),
    ).toEqual({ action: 'device.release', target: 'probe-d/d1' });
  });

  it('never logs the answer, where secrets such as a new token live', () => {
    const event = auditEventOf({
      action: 'node.token.rotate',
      input: { nodePath: 'district-1/probe-a' },
      output: { nodePath: 'district-1/probe-a', token: 'secret-token' },
    });
    expect(event).toEqual({ action: 'node.token.rotate', target: 'district-1/probe-a' });
    expect(JSON.stringify(event)).not.toContain('secret-token');
  });

  it('names the policy version a publish made and the nodes it reaches, not its whole content', () => {
    expect(
      auditEventOf({
        action: 'policy.publish',
        input: {
          content: {
            bundles: [
              { name: 'fleet', target: '**', rules: [] },
              { name: 'd1', target: 'district-1/**' },
            ],
          },
          comment: 'hotter',
          canaries: ['district-1/probe-a'],
        },
        output: {
          author: 'bff',
          version: 4,
          hash: 'sha256:ab',
          comment: 'hotter',
          canaries: ['district-1/probe-a'],
          rollbackOf: null,
        },
      }),
    ).toEqual({
      action: 'policy.publish',
      target: 'bff v4',
      details: {
        comment: 'hotter',
        targets: ['**', 'district-1/**'],
        canaries: ['district-1/probe-a'],
        hash: 'sha256:ab',
      },
    });
  });

  it('records an import by its size and a provision batch by its device ids, never the rows or answers', () => {
    expect(
      auditEventOf({
        action: 'device.import',
        input: { nodePath: 'probe-d', csv: 'id,name\nd1,One\nd2,Two\n', importValidRows: true },
        output: {},
      }),
    ).toEqual({ action: 'device.import', target: 'probe-d', details: { lines: 3, importValidRows: true } });
    const batch = auditEventOf({
      action: 'device.provision',
      input: {
        nodePath: 'probe-d',
        devices: [{ line: 2, deviceId: 'd1', name: 'One', labels: { room: '4' } }],
      },
      output: { created: [{ deviceId: 'd1', password: 'SECRET' }] },
    });
    expect(batch).toEqual({ action: 'device.provision', target: 'probe-d', details: { devices: ['d1'] } });
  });
});
