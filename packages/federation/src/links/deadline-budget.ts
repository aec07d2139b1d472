import { AsyncLocalStorage } from 'node:async_hooks';
import { z } from 'zod';

/**
 * Deadline propagation between tiers. A parent sends each child call the time it has left, in
 * milliseconds, in this header; the child's own fan-out then takes at most that budget minus a
 * margin (`budgetedDeadline`), so no tier answers after its caller has given up.
 */
export const DEADLINE_HEADER = 'x-tierscope-deadline-ms';

/** Time a federating node keeps for itself out of a received budget: merge, encode, send back. */
export const DEFAULT_BUDGET_MARGIN_MS = 100;

const Budget = z.coerce.number().int().min(1).max(600_000);

/** The budget a request carries, or undefined when it has none or an unusable one (then ignored). */
export function readDeadlineHeader(value: string | readonly string[] | undefined): number | undefined {
  const raw = Array.isArray(value) ? (value as readonly string[])[0] : value;
  if (raw === undefined || raw === '') return undefined;
  const parsed = Budget.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** A fan-out deadline within the received budget: min(own, budget − margin); own when there is no budget. */
export function budgetedDeadline(
  ownDeadlineMs: number,
  budgetMs: number | undefined,
  marginMs = DEFAULT_BUDGET_MARGIN_MS,
): number {
  return budgetMs === undefined ? ownDeadlineMs : Math.min(ownDeadlineMs, Math.max(0, budgetMs - marginMs));
}

const scope = new AsyncLocalStorage<{ deadlineAt: number }>();

/** Runs `fn` with a deadline: child calls it makes (at any async depth) carry the time left. */
export function runWithDeadline<T>(deadlineAt: number, fn: () => T): T {
  return scope.run({ deadlineAt }, fn);
}

/** The header to send on a child call made now: the time left in the current scope, if any. */
export function deadlineHeaders(now = Date.now()): Record<string, string> {
  const current = scope.getStore();
  if (!current) return {};
  return { [DEADLINE_HEADER]: String(Math.max(1, Math.floor(current.deadlineAt - now))) };
}
