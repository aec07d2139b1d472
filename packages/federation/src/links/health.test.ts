import Fastify from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkReadiness, registerHealthRoutes } from './health.ts';

afterEach(() => {
  vi.useRealTimers();
});

const never = () => new Promise<{ ok: boolean }>(() => {});

describe('checkReadiness', () => {
  it('fails a check that does not answer within its timeout, naming it, and keeps the others', async () => {
    vi.useFakeTimers();
    const report = checkReadiness(
      [
        { name: 'database', check: never },
        { name: 'broker', check: async () => ({ ok: true }) },
      ],
      2000,
    );
    await vi.advanceTimersByTimeAsync(2000);
    expect(await report).toEqual({
      ready: false,
      checks: { database: { ok: false, detail: 'no answer within 2000 ms' }, broker: { ok: true } },
    });
  });

  it('fails a check that throws, with its message', async () => {
    const report = await checkReadiness([
      {
        name: 'database',
        check: () => Promise.reject(new Error('connection refused')),
      },
    ]);
    expect(report.checks.database).toEqual({ ok: false, detail: 'connection refused' });
  });
});

describe('registerHealthRoutes', () => {
  it('answers /readyz 503 with the failing check while it hangs, and 200 once it answers', async () => {
    let hanging = true;
    const app = Fastify();
    registerHealthRoutes(app, {
      readiness: [{ name: 'database', check: () => (hanging ? never() : Promise.resolve({ ok: true })) }],
      metrics: { metrics: async () => '', contentType: 'text/plain' },
      readinessTimeoutMs: 50,
    });
    const down = await app.inject({ url: '/readyz' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ checks: { database: { ok: false } } });
    hanging = false;
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/livez' })).statusCode).toBe(200);
    await app.close();
  });
});
