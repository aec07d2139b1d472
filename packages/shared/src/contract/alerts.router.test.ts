import { describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import { selfCoverage } from '../domain/coverage.ts';
import type { Actor, Role } from '../domain/roles.ts';
import type { Alert, TrackedAlertChange } from './alerts.schemas.ts';
import { nodeRouter } from './app.router.ts';
import type { NodeService } from './node.service.ts';
import { alertKeyOf, compareEventKeys } from './order-keys.ts';
import { createCallerFactory } from './trpc.ts';
import { fakeNodeService } from '@tierscope/test-support/fake-node-service';

const alert: Alert = {
  id: 'hot:x1:1000',
  fingerprint: 'hot:x1',
  nodePath: 'probe-a',
  ruleId: 'hot',
  ruleName: 'Too hot',
  deviceId: 'x1',
  subjectPath: null,
  severity: 'critical',
  state: 'firing',
  summary: 'temp 31 > 30',
  value: 31,
  startedAt: 1000,
  updatedAt: 1000,
  resolvedAt: null,
  ack: null,
  silenced: false,
  stale: false,
};

function alertingService(acks: { by: string; note: string }[]): NodeService {
  return fakeNodeService({
    alerts: {
      list: () => Promise.resolve({ items: [alert], nextCursor: null, coverage: selfCoverage('probe-a', 1) }),
      ack: (input, actor) => {
        acks.push({ by: actor.name, note: input.note });
        return Promise.resolve({ ...alert, ack: { by: actor.name, at: 2000, note: input.note } });
      },
      unack: () => Promise.resolve(alert),
      watch: async function* (): AsyncGenerator<TrackedAlertChange> {
        yield { id: '7', change: { kind: 'fired', at: 1000, alert } };
        yield { id: '8', change: { kind: 'acked', at: 2000, alert } };
      },
    },
    rules: { upsert: (input) => Promise.resolve({ ...input.rule, nodePath: input.nodePath }) },
  });
}

function callerAs(role: Role, service: NodeService) {
  const actor: Actor = { kind: 'user', name: `a-${role}`, role };
  return createCallerFactory(nodeRouter)({ node: service, actor });
}

async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'OK';
  } catch (error) {
    return error instanceof TRPCError ? error.code : 'NOT_A_TRPC_ERROR';
  }
}

describe('alerts router', () => {
  it('refuses a viewer’s ack with FORBIDDEN and passes an operator’s, with the operator as actor', async () => {
    const acks: { by: string; note: string }[] = [];
    const ref = { nodePath: 'probe-a', id: alert.id, note: 'on it' };
    expect(await codeOf(callerAs('viewer', alertingService(acks)).alerts.ack(ref))).toBe('FORBIDDEN');
    expect(acks).toEqual([]);
    const acked = await callerAs('operator', alertingService(acks)).alerts.ack(ref);
    expect(acked.ack).toEqual({ by: 'a-operator', at: 2000, note: 'on it' });
    expect(acks).toEqual([{ by: 'a-operator', note: 'on it' }]);
  });

  it('lets only an admin upsert a rule', async () => {
    const rule = {
      nodePath: 'probe-a',
      rule: {
        id: 'hot',
        name: 'Too hot',
        severity: 'critical' as const,
        scope: {},
        condition: {
          kind: 'threshold' as const,
          metric: 'temp',
          operator: '>' as const,
          value: 30,
          forMs: 0,
        },
      },
    };
    expect(await codeOf(callerAs('operator', alertingService([])).rules.upsert(rule))).toBe('FORBIDDEN');
    const stored = await callerAs('admin', alertingService([])).rules.upsert(rule);
    expect(stored).toMatchObject({ id: 'hot', nodePath: 'probe-a', enabled: true });
  });

  it('streams changes as tracked events whose ids are the service’s resumable ids', async () => {
    const stream = await callerAs('viewer', alertingService([])).alerts.watch({});
    const seen: { id: string; kind: string }[] = [];
    // A tracked event is the tuple [id, data, marker] the SSE adapter sends as `id:` and `data:`.
    for await (const [id, change] of stream as AsyncIterable<[string, { kind: string }]>)
      seen.push({ id, kind: change.kind });
    expect(seen).toEqual([
      { id: '7', kind: 'fired' },
      { id: '8', kind: 'acked' },
    ]);
  });
});

describe('alert order', () => {
  it('puts a critical alert before a newer warning, and a newer alert before an older one of the same severity', () => {
    const older = alertKeyOf({ ...alert, startedAt: 1000 });
    const newer = alertKeyOf({ ...alert, startedAt: 5000 });
    const newerWarning = alertKeyOf({ ...alert, severity: 'warning', startedAt: 9000 });
    expect(compareEventKeys(older, newerWarning)).toBeLessThan(0);
    expect(compareEventKeys(newer, older)).toBeLessThan(0);
  });
});
