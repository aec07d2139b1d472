import { describe, expect, it } from 'vitest';
import { TRPCError } from '@trpc/server';
import type { Actor, Role } from '../domain/roles.ts';
import { selfCoverage } from '../domain/coverage.ts';
import { nodeRouter } from './app.router.ts';
import type { Device } from './devices.schemas.ts';
import { NotFoundError } from './errors.ts';
import type { NodeService } from './node.service.ts';
import { nodeProcedures } from './procedures.ts';
import { createCallerFactory, type AuditedChange } from './trpc.ts';
import { InvalidCursorError } from '../cursor-codec.ts';
import { fakeNodeService } from '@tierscope/test-support/fake-node-service';

const device: Device = {
  id: 'x1',
  nodePath: 'probe-a',
  name: 'x1',
  kind: '',
  site: '',
  labels: {},
  status: 'online',
  firstSeen: 1,
  lastSeen: 2,
  latest: { temp: { value: 21.5, ts: 2 } },
};

function fakeService(overrides: Partial<NodeService['devices']> = {}): NodeService {
  return fakeNodeService({
    devices: {
      list: () =>
        Promise.resolve({ items: [device], nextCursor: null, coverage: selfCoverage('probe-a', 1) }),
      get: ({ deviceId }) =>
        deviceId === 'x1'
          ? Promise.resolve(device)
          : Promise.reject(new NotFoundError(`no device ${deviceId}`)),
      upsert: () => Promise.resolve(device),
      rotateCredentials: ({ deviceId }, actor) =>
        Promise.resolve({
          deviceId,
          nodePath: 'probe-a',
          username: deviceId,
          password: `secret-for-${actor.name}`,
          createdAt: 3,
        }),
      quarantine: ({ reason, until }, actor) =>
        Promise.resolve({ ...device, quarantine: { reason, until: until ?? null, by: actor.name, at: 3 } }),
      release: () => Promise.resolve(device),
      ...overrides,
    },
  });
}

function callerAs(role: Role, service = fakeService()) {
  const actor: Actor = { kind: 'user', name: 'tester', role };
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

describe('node router', () => {
  it('delegates devices.list to the service in context and returns its page', async () => {
    const page = await callerAs('viewer').devices.list({ limit: 10 });
    expect(page.items.map((d) => d.id)).toEqual(['x1']);
  });

  it('refuses a limit above 500 with BAD_REQUEST before the service is called', async () => {
    expect(await codeOf(callerAs('viewer').devices.list({ limit: 501 }))).toBe('BAD_REQUEST');
  });

  it('maps a NotFoundError from the service to NOT_FOUND', async () => {
    expect(await codeOf(callerAs('viewer').devices.get({ deviceId: 'nope' }))).toBe('NOT_FOUND');
  });

  it('maps a forged cursor to BAD_REQUEST, not a server error', async () => {
    const service = fakeService({
      list: () => Promise.reject(new InvalidCursorError('cursor is not valid')),
    });
    expect(await codeOf(callerAs('viewer', service).devices.list({ cursor: 'garbage' }))).toBe('BAD_REQUEST');
  });

  it('lets only an admin upsert a device', async () => {
    expect(await codeOf(callerAs('operator').devices.upsert({ deviceId: 'x1', name: 'X' }))).toBe(
      'FORBIDDEN',
    );
    expect(await codeOf(callerAs('admin').devices.upsert({ deviceId: 'x1', name: 'X' }))).toBe('OK');
  });

  it('lets only an admin rotate device credentials, and returns the password once from the service', async () => {
    expect(await codeOf(callerAs('operator').devices.rotateCredentials({ deviceId: 'x1' }))).toBe(
      'FORBIDDEN',
    );
    const credentials = await callerAs('admin').devices.rotateCredentials({ deviceId: 'x1' });
    expect(credentials).toEqual({
      deviceId: 'x1',
      nodePath: 'probe-a',
      username: 'x1',
      password: 'secret-for-tester',
      createdAt: 3,
    });
  });

  it('lets only an admin create, provision or import devices', async () => {
    const made = { deviceId: 'x2', nodePath: 'probe-a', username: 'x2', password: 'p', createdAt: 3 };
    const service = fakeService({
      create: () => Promise.resolve(made),
      provision: () => Promise.resolve({ nodePath: 'probe-a', created: [], refused: [] }),
    });
    const rows = { devices: [{ line: 2, deviceId: 'x2', name: 'X2' }] };
    for (const role of ['viewer', 'operator'] as const) {
      expect(await codeOf(callerAs(role, service).devices.create({ deviceId: 'x2', name: 'X2' }))).toBe(
        'FORBIDDEN',
      );
      expect(await codeOf(callerAs(role, service).devices.provision(rows))).toBe('FORBIDDEN');
      expect(await codeOf(callerAs(role, service).devices.importCsv({ csv: 'id,name\nx2,X2\n' }))).toBe(
        'FORBIDDEN',
      );
    }
    expect(await callerAs('admin', service).devices.create({ deviceId: 'x2', name: 'X2' })).toEqual(made);
    expect(await codeOf(callerAs('admin', service).devices.provision(rows))).toBe('OK');
  });

  it('lets an operator quarantine and release a device, passing the acting user, but not a viewer', async () => {
    const input = { deviceId: 'x1', reason: 'leaked credentials', until: 5000 };
    expect(await codeOf(callerAs('viewer').devices.quarantine(input))).toBe('FORBIDDEN');
    expect(await codeOf(callerAs('viewer').devices.release({ deviceId: 'x1' }))).toBe('FORBIDDEN');
    const quarantined = await callerAs('operator').devices.quarantine(input);
    expect(quarantined.quarantine).toEqual({
      reason: 'leaked credentials',
      until: 5000,
      by: 'tester',
      at: 3,
    });
    expect((await callerAs('operator').devices.release({ deviceId: 'x1' })).quarantine).toBeUndefined();
  });

  it('refuses a quarantine without a reason before the service is called', async () => {
    expect(await codeOf(callerAs('operator').devices.quarantine({ deviceId: 'x1', reason: '  ' }))).toBe(
      'BAD_REQUEST',
    );
  });

  it('rejects a service answer that breaks the output schema, so a parent never relays bad data', async () => {
    const broken = fakeService({
      get: () => Promise.resolve({ ...device, status: 'exploded' } as unknown as Device),
    });
    expect(await codeOf(callerAs('viewer', broken).devices.get({ deviceId: 'x1' }))).toBe(
      'INTERNAL_SERVER_ERROR',
    );
  });

  it('refuses a device id outside the device API alphabet', async () => {
    expect(await codeOf(callerAs('viewer').devices.get({ deviceId: 'bad/id' }))).toBe('BAD_REQUEST');
  });
});

describe('audited changes', () => {
  function auditingCaller(service: NodeService, changes: AuditedChange[]) {
    const actor: Actor = { kind: 'user', name: 'tester', role: 'admin' };
    return createCallerFactory(nodeRouter)({
      node: service,
      actor,
      onAuditedChange: async (change) => {
        changes.push(change);
      },
    });
  }

  it("reports a mutation the contract marks audited, under the contract's name, once it succeeded", async () => {
    const changes: AuditedChange[] = [];
    await auditingCaller(fakeService(), changes).devices.quarantine({ deviceId: 'x1', reason: 'leak' });
    expect(changes).toEqual([
      {
        action: 'device.quarantine',
        input: { deviceId: 'x1', reason: 'leak' },
        output: expect.objectContaining({ id: 'x1' }) as unknown,
      },
    ]);
  });

  it('reports nothing for a mutation that failed, nor for a query', async () => {
    const changes: AuditedChange[] = [];
    const failing = fakeService({ release: () => Promise.reject(new NotFoundError('no device x9')) });
    const caller = auditingCaller(failing, changes);
    await expect(caller.devices.release({ deviceId: 'x9' })).rejects.toThrow(/x9/);
    await caller.devices.list({});
    expect(changes).toEqual([]);
  });

  it('marks every mutation of the node contract audited, so a new one cannot slip past the log', () => {
    const unaudited = nodeProcedures.filter((p) => p.type === 'mutation' && !p.audited).map((p) => p.path);
    expect(unaudited).toEqual([]);
  });
});

describe('devices.count', () => {
  it('answers the counts of the service in context to a viewer', async () => {
    const counts = {
      total: 3,
      byStatus: { online: 2, offline: 1, unknown: 0 },
      coverage: selfCoverage('probe-a', 1),
    };
    const service = fakeNodeService({ devices: { count: () => Promise.resolve(counts) } });
    await expect(callerAs('viewer', service).devices.count({})).resolves.toEqual(counts);
  });
});
