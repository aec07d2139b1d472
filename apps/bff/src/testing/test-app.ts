// Test support: the console's access layer on a real database behind a small Fastify app, as the BFF wires it.
import { TRPCError } from '@trpc/server';
import { fastifyTRPCPlugin, type CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  consoleRouter,
  operatorProcedure,
  router,
  viewerProcedure,
  type ConsoleContext,
  type NodeService,
} from '@tierscope/shared';
import { openBffStore, type BffStore } from '../store/client.ts';
import { migrateBffStore } from '../store/migrate.ts';
import {
  createConsoleAccess,
  type ConsoleAccess,
  type ConsoleAccessSettings,
} from '../console/console-access.ts';
import { registerConsoleAuth, resolveSessionActor } from '../console/console-auth.ts';
import { consoleServiceFor } from '../console/console-service.ts';
import { DEFAULT_LOGIN_LIMITS } from '../console/login-limiter.ts';
import type { ReportConsoleDeps } from '../reports/report-console.ts';
import { createReportStore } from '../reports/report-store.ts';
import { createDashboardStore, type DashboardStore } from '../dashboards/dashboard-store.ts';

/** Time the tests move by hand: no test waits for a timeout. */
export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

export function testClock(start = Date.UTC(2026, 0, 5, 9, 0, 0)): TestClock {
  let at = start;
  return { now: () => at, advance: (ms) => void (at += ms) };
}

export const TEST_SETTINGS: ConsoleAccessSettings = {
  publicUrl: undefined,
  session: { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 },
  loginLimits: DEFAULT_LOGIN_LIMITS,
  liveStreamRecheckMs: 15_000,
  pushPublicKey: undefined,
};

export interface TestAccess {
  store: BffStore;
  access: ConsoleAccess;
  clock: TestClock;
  /** The report schedules and archive in the same database, on the same clock. */
  reports: Omit<ReportConsoleDeps, 'audit'>;
  dashboards: DashboardStore;
}

export async function openTestAccess(
  databaseUrl: string,
  settings: ConsoleAccessSettings = TEST_SETTINGS,
): Promise<TestAccess> {
  const store = await openBffStore(databaseUrl);
  await migrateBffStore(store);
  const clock = testClock();
  return {
    store,
    clock,
    access: createConsoleAccess(store.db, settings, () => clock.now()),
    reports: { store: createReportStore(store.db), now: () => clock.now() },
    dashboards: createDashboardStore(store.db),
  };
}

/** Procedures standing in for the node contract: a read and a mutation any signed-in operator may call. */
const probeRouter = router({
  whoami: viewerProcedure.query(({ ctx }) => ctx.actor),
  /** A live stream, as the alert stream is: one number every 20 ms until the client goes. */
  ticks: viewerProcedure.subscription(async function* ({ signal }) {
    for (let n = 0; !signal?.aborted; n += 1) {
      yield n;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }),
  touch: operatorProcedure.input(z.object({ note: z.string() })).mutation(({ ctx, input }) => ({
    by: ctx.actor.name,
    note: input.note,
  })),
});

/** The node service is not reached by these procedures. */
const NO_NODE_SERVICE = {} as NodeService;

/** Console auth, then tRPC with the console router and the probe, then a page at `/`. */
export async function buildTestApp(
  access: ConsoleAccess,
  reports: Omit<ReportConsoleDeps, 'audit'>,
  dashboards: DashboardStore,
): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await registerConsoleAuth(app, access);
  const appRouter = router({ console: consoleRouter, probe: probeRouter });
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: ({ req }: CreateFastifyContextOptions): ConsoleContext => {
        const caller = resolveSessionActor(req);
        if (!caller) throw new TRPCError({ code: 'UNAUTHORIZED' });
        return {
          node: NO_NODE_SERVICE,
          actor: caller.actor,
          console: consoleServiceFor(access, caller, reports, dashboards),
        };
      },
    },
  });
  app.get('/', async (_request, reply) =>
    reply.type('text/html').send('<!doctype html><title>Tierscope</title><div id="root"></div>'),
  );
  await app.ready();
  return app;
}
