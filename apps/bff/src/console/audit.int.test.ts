import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseBackends, type TestDatabase } from '@tierscope/test-support/test-databases';
import { openTestAccess, type TestAccess } from '../testing/test-app.ts';

const admin = { actor: 'alice', address: '192.0.2.10' };

describe.each(testDatabaseBackends())('audit log on $name', (backend) => {
  let database: TestDatabase;
  let t: TestAccess;

  beforeAll(async () => {
    database = await backend.create();
    t = await openTestAccess(database.url);
  });
  afterAll(async () => {
    await t?.store.close();
    await database?.drop();
  });

  it('appends entries with who, when (UTC), what and from where, newest first', async () => {
    await t.access.audit.append(admin, {
      action: 'alert.ack',
      target: 'district-1/probe-a:a1',
      details: { note: 'on it' },
    });
    t.clock.advance(1000);
    await t.access.audit.append(admin, {
      action: 'silence.create',
      target: 's1',
      details: { b: 1, a: [2, { d: 3, c: 4 }] },
    });
    const page = await t.access.audit.list({ actor: 'alice' });
    expect(page.items.map((entry) => entry.action)).toEqual(['silence.create', 'alert.ack']);
    expect(page.items[1]).toMatchObject({
      actor: 'alice',
      address: '192.0.2.10',
      target: 'district-1/probe-a:a1',
      at: t.clock.now() - 1000,
      details: { note: 'on it' },
    });
  });

  it('filters by action family, target and time, and pages by cursor', async () => {
    for (const n of [1, 2, 3]) {
      await t.access.audit.append(
        { actor: 'bob', address: '198.51.100.7' },
        { action: `rule.update`, target: `r${n}` },
      );
    }
    const rules = await t.access.audit.list({ actor: 'bob', action: 'rule.', limit: 2 });
    expect(rules.items.map((entry) => entry.target)).toEqual(['r3', 'r2']);
    const rest = await t.access.audit.list({
      actor: 'bob',
      action: 'rule.',
      limit: 2,
      cursor: rules.nextCursor!,
    });
    expect(rest.items.map((entry) => entry.target)).toEqual(['r1']);
    expect(rest.nextCursor).toBeNull();
    expect((await t.access.audit.list({ target: 'r2' })).items).toHaveLength(1);
    expect((await t.access.audit.list({ actor: 'bob', to: t.clock.now() })).items).toHaveLength(0);
  });

  it('refuses UPDATE, DELETE and TRUNCATE, even from the table owner', async () => {
    await expect(t.store.exec(`update audit_log set actor = 'mallory'`)).rejects.toThrow(/append-only/);
    await expect(t.store.exec(`delete from audit_log`)).rejects.toThrow(/append-only/);
    await expect(t.store.exec(`truncate audit_log`)).rejects.toThrow(/append-only/);
    expect((await t.access.audit.list({})).items.length).toBeGreaterThan(0);
  });

  it('verifies an untouched chain', async () => {
    const report = await t.access.audit.verify();
    expect(report).toEqual({ ok: true, checked: (await t.access.audit.list({ limit: 500 })).items.length });
  });

  it('keeps the chain one line when appends race (a pool of connections on PostgreSQL)', async () => {
    const before = (await t.access.audit.verify()).checked;
    await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        t.access.audit.append(admin, { action: 'device.update', target: `d${n}` }),
      ),
    );
    expect(await t.access.audit.verify()).toEqual({ ok: true, checked: before + 20 });
  });

  it('names the first entry a superuser changed around the trigger', async () => {
    const { items } = await t.access.audit.list({ actor: 'bob' });
    const victim = items[1]!;
    // As a superuser could: switch the trigger off, rewrite a row, switch it back on.
    await t.store.exec(`alter table audit_log disable trigger audit_log_no_update_delete`);
    await t.store.exec(`update audit_log set target = 'r-forged' where id = $1`, [victim.id]);
    await t.store.exec(`alter table audit_log enable trigger audit_log_no_update_delete`);
    expect(await t.access.audit.verify()).toMatchObject({
      ok: false,
      firstBrokenId: victim.id,
      reason: expect.stringMatching(/hash does not match/) as unknown,
    });
    // Put it back for the next test.
    await t.store.exec(`alter table audit_log disable trigger audit_log_no_update_delete`);
    await t.store.exec(`update audit_log set target = $2 where id = $1`, [victim.id, victim.target]);
    await t.store.exec(`alter table audit_log enable trigger audit_log_no_update_delete`);
    expect((await t.access.audit.verify()).ok).toBe(true);
  });

  it('names a forged row inserted with a made-up hash, and the row after a deleted one', async () => {
    const [last] = await t.store.exec<{ hash: string }>(
      `select hash from audit_log order by id desc limit 1`,
    );
    const [forged] = await t.store.exec<{ id: string }>(
      `insert into audit_log (at, actor, action, target, address, details, prev_hash, hash)
       values (now(), 'mallory', 'user.create', 'mallory', '', '{}', $1, repeat('f', 64)) returning id`,
      [last!.hash],
    );
    expect(await t.access.audit.verify()).toMatchObject({ ok: false, firstBrokenId: Number(forged!.id) });

    // The next honest append links to the forged hash; dropping the forged row breaks that link.
    const next = await t.access.audit.append(admin, { action: 'auth.logout', target: 'alice' });
    await t.store.exec(`alter table audit_log disable trigger audit_log_no_update_delete`);
    await t.store.exec(`delete from audit_log where id = $1`, [forged!.id]);
    await t.store.exec(`alter table audit_log enable trigger audit_log_no_update_delete`);
    expect(await t.access.audit.verify()).toMatchObject({
      ok: false,
      firstBrokenId: next.id,
      reason: expect.stringMatching(/prev_hash/) as unknown,
    });
  });
});
