import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportSchedule, Role } from '@tierscope/shared';
import { testDatabaseBackends, type TestDatabase } from '@tierscope/test-support/test-databases';
import { buildTestApp, openTestAccess, type TestAccess } from '../testing/test-app.ts';

/*
 * What the console's schedule editor calls (docs/decisions/0031): an admin pauses, resumes and edits
 * a schedule without the other fields falling back to defaults; a paused schedule is never due; a
 * bad cron is refused with croner's reason; only admins change schedules.
 */
const PASSWORD = 'correct horse battery staple';
const SYSTEM = { actor: 'system', address: '' };
const DAY_MS = 86_400_000;

interface Session {
  cookie: string;
  csrfToken: string;
}

describe.each(testDatabaseBackends())('report schedule changes on $name', (backend) => {
  let database: TestDatabase;
  let t: TestAccess;
  let app: FastifyInstance;
  let ada: Session;
  let vic: Session;

  const login = async (username: string): Promise<Session> => {
    const res = await app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username, password: PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    return {
      cookie: String(res.headers['set-cookie']).split('; ')[0]!,
      csrfToken: res.json<{ csrfToken: string }>().csrfToken,
    };
  };
  const mutate = (session: Session, path: string, input: unknown) =>
    app.inject({
      method: 'POST',
      url: `/trpc/console.reportSchedules.${path}`,
      payload: input as Record<string, unknown>,
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken },
    });
  const scheduleOf = async (session: Session, path: string, input: unknown): Promise<ReportSchedule> => {
    const res = await mutate(session, path, input);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ result: { data: ReportSchedule } }>().result.data;
  };
  const addUser = (name: string, role: Role) =>
    t.access.users.create({ name, role, password: PASSWORD }, SYSTEM, { mustChangePassword: false });

  beforeAll(async () => {
    database = await backend.create();
    t = await openTestAccess(database.url);
    app = await buildTestApp(t.access, t.reports, t.dashboards);
    await addUser('ada', 'admin');
    await addUser('vic', 'viewer');
    ada = await login('ada');
    vic = await login('vic');
  });
  afterAll(async () => {
    await app?.close();
    await t?.store.close();
    await database?.drop();
  });

  it('pauses a schedule so it is never due, and resumes it from the time it resumes', async () => {
    const created = await scheduleOf(ada, 'create', {
      name: 'Weekly CSV',
      cron: '0 7 * * 1',
      timeZone: 'Europe/Berlin',
      recipients: ['cfo@example.com'],
      format: 'csv',
      period: '7d',
      grouping: 'site',
      nodePath: 'probe-a',
    });
    expect(created.paused).toBe(false);

    const paused = await scheduleOf(ada, 'update', { id: created.id, paused: true });
    // Only `paused` changed: the format, period, grouping, zone and scope stay as they were.
    expect(paused).toMatchObject({
      paused: true,
      format: 'csv',
      period: '7d',
      grouping: 'site',
      timeZone: 'Europe/Berlin',
      nodePath: 'probe-a',
    });
    const dueIds = async (at: number) => (await t.reports.store.dueSchedules(at)).map((s) => s.id);
    expect(await dueIds(created.nextRunAt + 30 * DAY_MS)).not.toContain(created.id);

    t.clock.advance(10 * DAY_MS);
    // Ten days idle end every session: sign in again on the moved clock.
    [ada, vic] = [await login('ada'), await login('vic')];
    const resumed = await scheduleOf(ada, 'update', { id: created.id, paused: false });
    expect(resumed.paused).toBe(false);
    // The runs missed while paused are not made up: the next one is after the resume.
    expect(resumed.nextRunAt).toBeGreaterThan(t.clock.now());
    expect(resumed.nextRunAt).toBeLessThanOrEqual(t.clock.now() + 7 * DAY_MS);
    expect(await dueIds(resumed.nextRunAt)).toContain(created.id);
  });

  it('clears a scope with null and refuses a cron croner cannot read, naming the field', async () => {
    const created = await scheduleOf(ada, 'create', {
      name: 'Scoped',
      cron: '0 7 1 * *',
      recipients: ['ceo@example.com'],
      nodePath: 'probe-a',
    });
    expect((await scheduleOf(ada, 'update', { id: created.id, nodePath: null })).nodePath).toBeNull();

    const refused = await mutate(ada, 'update', { id: created.id, cron: '0 25 * * *' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json<{ error: { message: string } }>().error.message).toMatch(/^cron: /);
    const unchanged = (await t.reports.store.schedules()).find((s) => s.id === created.id)!;
    expect(unchanged.cron).toBe('0 7 1 * *');
  });

  it('lets only admins pause, edit or delete a schedule', async () => {
    const created = await scheduleOf(ada, 'create', {
      name: 'Admins only',
      cron: '0 7 * * 1',
      recipients: ['ceo@example.com'],
    });
    expect((await mutate(vic, 'update', { id: created.id, paused: true })).statusCode).toBe(403);
    expect((await mutate(vic, 'delete', { id: created.id })).statusCode).toBe(403);
    expect((await t.reports.store.schedule(created.id))?.paused).toBe(false);

    const deleted = await mutate(ada, 'delete', { id: created.id });
    expect(deleted.json<{ result: { data: { deleted: boolean } } }>().result.data.deleted).toBe(true);
    expect(await t.reports.store.schedule(created.id)).toBeUndefined();
  });
});
