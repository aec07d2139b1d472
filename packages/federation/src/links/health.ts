import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';

/** One readiness check: a name and whether it currently passes (with why, when it doesn't). */
export interface ReadinessCheck {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/** How long one readiness check may take before it counts as failing. */
export const READINESS_CHECK_TIMEOUT_MS = 2000;

/**
 * Runs every check at once; a check that throws, or that has not answered within `timeoutMs`,
 * fails with its reason. So readiness always answers, and names what is wrong, even while a
 * dependency hangs (a database that stopped answering holds its queries, it does not refuse them).
 */
export async function checkReadiness(
  checks: readonly ReadinessCheck[],
  timeoutMs = READINESS_CHECK_TIMEOUT_MS,
): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async (c) => [c.name, await settleCheck(c, timeoutMs)] as const),
  );
  return { ready: results.every(([, r]) => r.ok), checks: Object.fromEntries(results) };
}

async function settleCheck(
  check: ReadinessCheck,
  timeoutMs: number,
): Promise<{ ok: boolean; detail?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<{ ok: boolean; detail: string }>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([check.check(), timedOut]);
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

export interface HealthRoutesOptions {
  readiness: readonly ReadinessCheck[];
  /** Prometheus exposition of the process's registry. */
  metrics: { metrics(): Promise<string>; contentType: string };
  readinessTimeoutMs?: number;
}

/**
 * /livez (the process answers), /readyz (200 when every check passes, else 503 with each check's
 * result) and Prometheus /metrics: the same at every tier.
 */
export function registerHealthRoutes<Logger extends FastifyBaseLogger>(
  app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>,
  options: HealthRoutesOptions,
): void {
  app.get('/livez', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const report = await checkReadiness(options.readiness, options.readinessTimeoutMs);
    return reply.code(report.ready ? 200 : 503).send(report);
  });
  app.get('/metrics', async (_request, reply) => {
    const body = await options.metrics.metrics();
    return reply.header('content-type', options.metrics.contentType).send(body);
  });
}
