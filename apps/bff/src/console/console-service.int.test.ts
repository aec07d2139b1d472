import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  consoleRouter,
  createCallerFactory,
  type ConsoleContext,
  type NodeService,
  type Role,
} from '@tierscope/shared';
import { testDatabaseBackends, type TestDatabase } from '@tierscope/test-support/test-databases';
import { consoleServiceFor } from './console-service.ts';
import { openTestAccess, type TestAccess } from '../testing/test-app.ts';

const PASSWORD = 'correct horse battery staple';

describe.each(testDatabaseBackends())('console procedures on $name', (backend) => {
  let database: TestDatabase;
  let t: TestAccess;
  let adminId: number;

  const callerAs = (name: string, role: Role, userId = adminId) => {
    const createCaller = createCallerFactory(consoleRouter);
    const actor = { kind: 'user', name, role } as const;
    const ctx: ConsoleContext = {
      node: {} as NodeService,
      actor,
      console: consoleServiceFor(
        t.access,
        {
          actor,
          userId,
          sessionId: 0,
          address: '192.0.2.9',
        },
        t.reports,
        t.dashboards,
      ),
    };
    return createCaller(ctx);
  };
  const code = (error: unknown) => (error instanceof TRPCError ? error.code : error);

  beforeAll(async () => {
    database = await backend.create();
    t = await openTestAccess(database.url);
    adminId = (
      await t.access.users.create(
        { name: 'ada', role: 'admin', password: PASSWORD },
        { actor: 'system', address: '' },
      )
    ).id;
  });
  afterAll(async () => {
    await t?.store.close();
    await database?.drop();
  });

  it('lets an admin create a user limited to a subtree, audited with who and from where', async () => {
    const admin = callerAs('ada', 'admin');
    const created = await admin.users.create({
      name: 'District.Op',
      role: 'operator',
      scope: ['district-1/**', 'probe-d'],
      password: PASSWORD,
    });
    expect(created).toMatchObject({
      name: 'district.op',
      role: 'operator',
      scope: ['district-1/**', 'probe-d'],
      mustChangePassword: true,
      disabled: false,
    });
    expect((await admin.users.list()).map((user) => user.name)).toEqual(['ada', 'district.op']);
    expect((await admin.audit.list({ action: 'user.create', actor: 'ada' })).items).toEqual([
      expect.objectContaining({ target: 'district.op', address: '192.0.2.9', at: t.clock.now() }),
    ]);
  });

  it('refuses a second user of the same name and scopes that are not node path globs', async () => {
    const admin = callerAs('ada', 'admin');
    await expect(
      admin.users.create({ name: 'ADA', role: 'viewer', password: PASSWORD }).catch(code),
    ).resolves.toBe('BAD_REQUEST');
    for (const scope of [['../etc'], ['District-1/**'], []]) {
      await expect(
        admin.users.create({ name: 'x', role: 'viewer', scope, password: PASSWORD }).catch(code),
      ).resolves.toBe('BAD_REQUEST');
    }
    await expect(
      admin.users.create({ name: 'y', role: 'viewer', password: 'short' }).catch(code),
    ).resolves.toBe('BAD_REQUEST');
  });

  it("changes a user's role and scope and ends their sessions, noting both in the audit log", async () => {
    const admin = callerAs('ada', 'admin');
    const user = await t.access.users.create(
      { name: 'sam', role: 'viewer', password: PASSWORD },
      { actor: 'system', address: '' },
    );
    await t.access.sessions.start(user.id, { address: '192.0.2.3', userAgent: 'test' });
    const updated = await admin.users.update({ id: user.id, role: 'operator', scope: ['district-2/**'] });
    expect(updated).toMatchObject({ role: 'operator', scope: ['district-2/**'] });
    expect(await t.access.sessions.listOfUser(user.id)).toEqual([]);
    const [entry] = (await admin.audit.list({ action: 'user.update', target: 'sam' })).items;
    expect(entry?.details).toEqual({
      role: { from: 'viewer', to: 'operator' },
      scope: { from: ['**'], to: ['district-2/**'] },
      sessionsEnded: 1,
    });
  });

  it('keeps at least one enabled admin', async () => {
    const admin = callerAs('ada', 'admin');
    await expect(admin.users.update({ id: adminId, role: 'viewer' }).catch(code)).resolves.toBe(
      'BAD_REQUEST',
    );
    await expect(admin.users.disable({ id: adminId }).catch(code)).resolves.toBe('BAD_REQUEST');
    const second = await admin.users.create({ name: 'bea', role: 'admin', password: PASSWORD });
    await admin.users.disable({ id: second.id });
    await expect(admin.users.update({ id: adminId, role: 'operator' }).catch(code)).resolves.toBe(
      'BAD_REQUEST',
    );
    await admin.users.enable({ id: second.id });
    expect(await admin.users.update({ id: adminId, role: 'admin' })).toMatchObject({ role: 'admin' });
  });

  it('resets a password the user must change, and ends their sessions', async () => {
    const admin = callerAs('ada', 'admin');
    const user = await t.access.users.create(
      { name: 'tom', role: 'viewer', password: PASSWORD },
      { actor: 'system', address: '' },
      { mustChangePassword: false },
    );
    await t.access.sessions.start(user.id, { address: '192.0.2.3', userAgent: 'test' });
    const reset = await admin.users.resetPassword({ id: user.id, password: 'temporary passphrase' });
    expect(reset.mustChangePassword).toBe(true);
    expect(await t.access.sessions.listOfUser(user.id)).toEqual([]);
    expect(await t.access.users.authenticate('tom', 'temporary passphrase')).toBeDefined();
    expect(await t.access.users.authenticate('tom', PASSWORD)).toBeUndefined();
  });

  it('answers users and audit to admins only', async () => {
    const operator = callerAs('otto', 'operator');
    await expect(operator.users.list().catch(code)).resolves.toBe('FORBIDDEN');
    await expect(operator.audit.list({}).catch(code)).resolves.toBe('FORBIDDEN');
    await expect(operator.audit.verify().catch(code)).resolves.toBe('FORBIDDEN');
    await expect(
      operator.users.create({ name: 'z', role: 'admin', password: PASSWORD }).catch(code),
    ).resolves.toBe('FORBIDDEN');
  });

  it('verifies the audit chain and refuses a made-up cursor', async () => {
    const admin = callerAs('ada', 'admin');
    expect(await admin.audit.verify()).toMatchObject({ ok: true });
    await expect(admin.audit.list({ cursor: 'abc' }).catch(code)).resolves.toBe('BAD_REQUEST');
  });

  it('answers NOT_FOUND on a tier without a console (a node)', async () => {
    const createCaller = createCallerFactory(consoleRouter);
    const node = createCaller({
      node: {} as NodeService,
      actor: { kind: 'user', name: 'ada', role: 'admin' },
    });
    await expect(node.users.list().catch(code)).resolves.toBe('NOT_FOUND');
  });
});
