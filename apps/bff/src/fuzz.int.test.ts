import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTRPCClient, httpLink } from '@trpc/client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleApiRouter, type ConsoleApiRouter } from '@tierscope/shared';
import {
  fetchAs,
  loginToConsole,
  spawnBff,
  spawnTestNode,
  waitReady,
  type ConsoleSession,
  type TierProcess,
} from './testing/processes.ts';

/*
 * Malformed input against the real BFF (with one real node behind it), signed in as the admin:
 * thousands of bad calls over every procedure the console can call — the node contract and
 * console.* — and bad bodies to every /auth route, while valid changes run beside them. Nothing may
 * answer 5xx or crash the BFF, and every valid change must be stored, with an audit chain intact.
 */
const CALLS = 2000;
const AUTH_CALLS = 300;
const VALID_USERS = 40;
const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
const PASSWORD = 'a long enough fuzz password';

/** Every procedure of the console's API, flattened to its path (`console.users.create`) and kind. */
const procedures = Object.entries(
  consoleApiRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>,
).map(([path, procedure]) => ({ path, type: procedure._def.type }));
const authRoutes = ['/auth/login', '/auth/logout', '/auth/password', '/auth/me'];

const dir = mkdtempSync(join(tmpdir(), 'tierscope-bff-fuzz-'));
const tiers: TierProcess[] = [];
let bff: TierProcess;
let session: ConsoleSession;

beforeAll(async () => {
  const probe = await spawnTestNode('probe-f', dir);
  tiers.push(probe);
  bff = await spawnBff({ CHILDREN: `probe-f=${probe.url}`, WEB_DIST: join(dir, 'no-console-here') });
  tiers.push(bff);
  await Promise.all(tiers.map((tier) => waitReady(tier, 100_000)));
  session = await loginToConsole(bff.url);
}, 180_000);

afterAll(async () => {
  await Promise.all(tiers.map((tier) => tier.stop('SIGTERM')));
  rmSync(dir, { recursive: true, force: true });
});

/** A malformed input: random JSON, JSON-ish shapes with wrong types, or text that is not JSON. */
const badInput = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.string({ maxLength: 300 }).map((text) => ({ raw: text })),
  fc.record({
    limit: fc.oneof(fc.integer(), fc.double(), fc.string()),
    cursor: fc.string({ maxLength: 50 }),
    nodePath: fc.oneof(fc.string({ maxLength: 80 }), fc.constant('probe-f/../..')),
  }),
  fc.record({
    name: fc.string({ maxLength: 80 }),
    role: fc.string({ maxLength: 10 }),
    scope: fc.array(fc.string({ maxLength: 40 }), { maxLength: 5 }),
    password: fc.string({ maxLength: 20 }),
  }),
);

function bodyOf(input: unknown): string {
  return typeof input === 'object' && input !== null && 'raw' in input
    ? String(input.raw)
    : JSON.stringify(input);
}

async function trpcCall(path: string, type: string, input: unknown): Promise<number> {
  const url = `${bff.url}/trpc/${path}`;
  if (type === 'mutation') {
    const response = await fetch(url, {
      method: 'POST',
      headers: { ...session.headers, 'content-type': 'application/json' },
      body: bodyOf(input),
    });
    await response.arrayBuffer();
    return response.status;
  }
  const controller = new AbortController();
  const response = await fetch(`${url}?input=${encodeURIComponent(bodyOf(input))}`, {
    signal: controller.signal,
    headers: { ...session.headers, ...(type === 'subscription' && { accept: 'text/event-stream' }) },
  });
  // A subscription that accepted its input stays open: its status is all this test needs.
  if (type === 'subscription') controller.abort();
  else await response.arrayBuffer();
  return response.status;
}

/** A bad body to an /auth route: wrong JSON, not JSON, a wrong content type, or far too large. */
const badAuthRequest = fc.record({
  route: fc.constantFrom(...authRoutes),
  contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded'),
  body: fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
    fc
      .record({ username: fc.string({ maxLength: 200 }), password: fc.string({ maxLength: 50 }) })
      .map((v) => JSON.stringify(v)),
    fc.constant('{"username":"' + 'x'.repeat(40 * 1024) + '"}'),
  ),
});

describe('the BFF under malformed input', () => {
  it(`answers ${CALLS} malformed calls over every procedure and ${AUTH_CALLS} bad /auth requests without a 5xx or a crash, and stores the valid changes beside them`, async () => {
    const statuses = new Map<number, number>();
    const serverErrors: string[] = [];
    const count = (label: string, status: number) => {
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500) serverErrors.push(`${label} → ${status}`);
    };

    const admin = createTRPCClient<ConsoleApiRouter>({
      links: [httpLink({ url: `${bff.url}/trpc`, fetch: fetchAs(session) })],
    });
    const validChanges = (async () => {
      for (let i = 0; i < VALID_USERS; i++) {
        await admin.console.users.create.mutate({ name: `valid-${i}`, role: 'viewer', password: PASSWORD });
      }
    })();

    const calls = fc.sample(fc.tuple(fc.constantFrom(...procedures), badInput), {
      numRuns: CALLS,
      seed: SEED,
    });
    let next = 0;
    const trpcWorker = async () => {
      while (next < calls.length) {
        const [procedure, input] = calls[next++]!;
        count(
          `${procedure.path} ${bodyOf(input).slice(0, 200)}`,
          await trpcCall(procedure.path, procedure.type, input),
        );
      }
    };
    const authRequests = fc.sample(badAuthRequest, { numRuns: AUTH_CALLS, seed: SEED });
    const authWorker = async () => {
      for (const request of authRequests) {
        const response = await fetch(`${bff.url}${request.route}`, {
          method: request.route === '/auth/me' ? 'GET' : 'POST',
          headers: { 'content-type': request.contentType },
          ...(request.route !== '/auth/me' && { body: request.body }),
        });
        await response.arrayBuffer();
        count(`${request.route} ${request.body.slice(0, 120)}`, response.status);
      }
    };
    await Promise.all([trpcWorker(), trpcWorker(), trpcWorker(), authWorker(), validChanges]);

    console.info(
      `bff fuzz: ${procedures.length} procedures, statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    expect(serverErrors).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(CALLS + AUTH_CALLS);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(CALLS / 2);

    const names = new Set((await admin.console.users.list.query()).map((user) => user.name));
    for (let i = 0; i < VALID_USERS; i++) expect(names.has(`valid-${i}`)).toBe(true);
    expect(await admin.console.audit.verify.query()).toMatchObject({ ok: true });
    expect((await fetch(`${bff.url}/livez`)).status).toBe(200);
    expect(bff.output()).not.toMatch(/unhandled|uncaught/i);
  }, 300_000);
});
