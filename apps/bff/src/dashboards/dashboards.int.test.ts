import { TRPCError } from '@trpc/server';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  consoleRouter,
  createCallerFactory,
  type ConsoleContext,
  type DashboardDocumentInput,
  type NodeService,
  type Role,
} from '@tierscope/shared';
import { testDatabaseBackends, type TestDatabase } from '@tierscope/test-support/test-databases';
import { consoleServiceFor } from '../console/console-service.ts';
import { openTestAccess, type TestAccess } from '../testing/test-app.ts';
import { SEEDED_DASHBOARDS, seedDashboards } from './seeded-dashboards.ts';

const PASSWORD = 'correct horse battery staple';

const doc = (title: string, sharing: DashboardDocumentInput['sharing']): DashboardDocumentInput => ({
  title,
  sharing,
  panels: [
    {
      id: 'co2-top',
      title: 'CO2 top 10',
      kind: 'bar',
      query: { metric: 'co2_ppm', aggregation: 'max', groupBy: { by: 'top', limit: 10 } },
      grid: { x: 0, y: 0, w: 6, h: 6 },
    },
  ],
});

describe.each(testDatabaseBackends())('dashboards on $name', (backend) => {
  let database: TestDatabase;
  let t: TestAccess;
  const ids: Record<string, number> = {};

  const callerAs = (name: string, role: Role) => {
    const actor = { kind: 'user', name, role } as const;
    const ctx: ConsoleContext = {
      node: {} as NodeService,
      actor,
      console: consoleServiceFor(
        t.access,
        { actor, userId: ids[name]!, sessionId: 0, address: '192.0.2.4' },
        t.reports,
        t.dashboards,
      ),
    };
    return createCallerFactory(consoleRouter)(ctx);
  };
  const code = (error: unknown) => (error instanceof TRPCError ? error.code : error);
  const failure = async (call: Promise<unknown>) => {
    try {
      await call;
    } catch (error) {
      return { code: code(error), message: error instanceof Error ? error.message : String(error) };
    }
    throw new Error('the call succeeded');
  };

  beforeAll(async () => {
    database = await backend.create();
    t = await openTestAccess(database.url);
    for (const [name, role] of [
      ['ada', 'admin'],
      ['olga', 'operator'],
      ['otto', 'operator'],
      ['vic', 'viewer'],
    ] as const)
      ids[name] = (
        await t.access.users.create({ name, role, password: PASSWORD }, { actor: 'system', address: '' })
      ).id;
  });
  afterAll(async () => {
    await t?.store.close();
    await database?.drop();
  });

  it('keeps a private dashboard to its owner and shows a shared one to the roles it names', async () => {
    const olga = callerAs('olga', 'operator');
    const mine = await olga.dashboards.save({ document: doc('Olga private', { visibility: 'private' }) });
    const forOperators = await olga.dashboards.save({
      document: doc('For operators', { visibility: 'shared', minRole: 'operator' }),
    });
    expect(mine).toMatchObject({ version: 1, editable: true, owner: { userId: ids.olga, name: 'olga' } });

    const titles = async (name: string, role: Role) =>
      (await callerAs(name, role).dashboards.list()).map((d) => d.title);
    expect(await titles('olga', 'operator')).toEqual(['For operators', 'Olga private']);
    expect(await titles('otto', 'operator')).toEqual(['For operators']);
    expect(await titles('vic', 'viewer')).toEqual([]);
    expect(await failure(callerAs('vic', 'viewer').dashboards.get({ id: forOperators.id }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await failure(callerAs('otto', 'operator').dashboards.get({ id: mine.id }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    const seen = await callerAs('otto', 'operator').dashboards.get({ id: forOperators.id });
    expect(seen).toMatchObject({ editable: false, document: { title: 'For operators' } });
  });

  it('lets only the owner or an admin change or delete one, and audits each change', async () => {
    const olga = callerAs('olga', 'operator');
    const saved = await olga.dashboards.save({
      document: doc('Shared widely', { visibility: 'shared', minRole: 'viewer' }),
    });
    const takeOver = await failure(
      callerAs('otto', 'operator').dashboards.save({
        id: saved.id,
        version: 1,
        document: doc('Taken over', { visibility: 'private' }),
      }),
    );
    expect(takeOver.code).toBe('FORBIDDEN');
    expect(takeOver.message).toContain("olga's");
    expect(await failure(callerAs('otto', 'operator').dashboards.delete({ id: saved.id }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(
      await failure(callerAs('vic', 'viewer').dashboards.save({ document: doc('x', undefined) })),
    ).toMatchObject({ code: 'FORBIDDEN' });

    const renamed = await callerAs('ada', 'admin').dashboards.save({
      id: saved.id,
      version: 1,
      document: doc('Renamed by admin', { visibility: 'shared', minRole: 'viewer' }),
    });
    expect(renamed).toMatchObject({
      version: 2,
      owner: { name: 'olga' },
      document: { title: 'Renamed by admin' },
    });
    // Olga still holds version 1: her save would overwrite the admin's, so it is refused.
    expect(
      await failure(olga.dashboards.save({ id: saved.id, version: 1, document: doc('Stale', undefined) })),
    ).toMatchObject({ code: 'CONFLICT' });
    expect(await olga.dashboards.delete({ id: saved.id })).toEqual({ deleted: true });

    const actions = (await callerAs('ada', 'admin').audit.list({ action: 'dashboard.' })).items.filter(
      (entry) => entry.details.id === saved.id,
    );
    expect(actions.map((a) => [a.action, a.actor, a.target]).reverse()).toEqual([
      ['dashboard.create', 'olga', 'Shared widely'],
      ['dashboard.update', 'ada', 'Renamed by admin'],
      ['dashboard.delete', 'olga', 'Renamed by admin'],
    ]);
  });

  it('imports what get exports, and says what is wrong with a file that is not a dashboard', async () => {
    const olga = callerAs('olga', 'operator');
    const original = await olga.dashboards.save({ document: doc('Exported', { visibility: 'private' }) });
    const exported = JSON.stringify(await olga.dashboards.get({ id: original.id }));
    const imported = await callerAs('otto', 'operator').dashboards.import({ json: exported });
    expect(imported).toMatchObject({ owner: { name: 'otto' }, version: 1, document: original.document });
    expect(imported.id).not.toBe(original.id);

    const notJson = await failure(olga.dashboards.import({ json: '{"title": ' }));
    expect(notJson.code).toBe('BAD_REQUEST');
    expect(notJson.message).toMatch(/^not JSON: /);
    const broken = JSON.parse(exported) as { document: { panels: { grid: { x: number }; query: object }[] } };
    broken.document.panels[0]!.grid.x = 10;
    broken.document.panels[0]!.query = { metric: 'co2 ppm', aggregation: 'max' };
    const { message } = await failure(olga.dashboards.import({ json: JSON.stringify(broken) }));
    expect(message).toContain('not a valid dashboard: ');
    expect(message).toContain('panels.0.query.metric: metric name');
    expect(message).toContain('panels.0.grid.w: a panel ends within the 12 columns');
  });

  it('makes the shipped dashboards once, for every viewer, and never twice', async () => {
    const logger = pino({ level: 'silent' });
    const made = await seedDashboards(t.dashboards, () => t.clock.now(), logger);
    expect(made).toEqual([...SEEDED_DASHBOARDS.keys()]);
    expect(made).toEqual([
      'fleet-overview',
      'kind-thermostat',
      'kind-power-meter',
      'kind-air-quality',
      'kind-pump',
    ]);
    expect(await seedDashboards(t.dashboards, () => t.clock.now(), logger)).toEqual([]);

    const listed = await callerAs('vic', 'viewer').dashboards.list();
    expect(listed.filter((d) => d.seed !== null).map((d) => [d.title, d.owner.name, d.editable])).toEqual([
      ['Air quality', 'Tierscope', false],
      ['Fleet overview', 'Tierscope', false],
      ['Power meters', 'Tierscope', false],
      ['Pumps', 'Tierscope', false],
      ['Thermostats', 'Tierscope', false],
    ]);
    const overview = listed.find((d) => d.seed === 'fleet-overview')!;
    expect((await callerAs('ada', 'admin').dashboards.get({ id: overview.id })).editable).toBe(true);
  });
});
