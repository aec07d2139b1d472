import { initTRPC, TRPCError } from '@trpc/server';
import type { Actor, Role } from '../domain/roles.ts';
import { roleAllows } from '../domain/roles.ts';
import { InvalidCursorError } from '../cursor-codec.ts';
import { BadRequestError, NotFoundError } from './errors.ts';
import type { NodeService } from './node.service.ts';

export interface NodeContext {
  node: NodeService;
  actor: Actor;
  /**
   * What the caller has left of its deadline, in ms, when it said (`x-tierscope-deadline-ms`);
   * a federating node's `node` service already keeps its fan-outs within it.
   */
  budgetMs?: number;
  /**
   * Told of every mutation the contract marks `audit` once it succeeded, with its input and answer
   * (the BFF appends it to its audit log). Tiers without it audit in their local services.
   */
  onAuditedChange?: (change: AuditedChange) => Promise<void>;
}

/** What a procedure declares about itself, read by the code derived from the contract (procedures.ts). */
export interface ProcedureMeta {
  /** A list page: fanned out and merged by a list rule, and empty where a caller may not look. */
  page?: true;
  /** The audit log's name for this mutation's change, e.g. `alert.ack`. */
  audit?: string;
  /**
   * A fan-out deadline of its own, for a query that computes over history at every node (a rule
   * preview) and needs longer than a tier's usual deadline; still within what the caller has left.
   */
  deadlineMs?: number;
}

/** A successful audited mutation as `onAuditedChange` receives it. */
export interface AuditedChange {
  action: string;
  input: unknown;
  output: unknown;
}

// isDev off: error responses never carry server stack traces, whatever NODE_ENV says.
const t = initTRPC.context<NodeContext>().meta<ProcedureMeta>().create({ isDev: false });

export const router = t.router;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;

/** Turns the services' domain errors into tRPC codes, so a bad cursor is a 400, not a 500. */
const mapDomainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof NotFoundError)
      throw new TRPCError({ code: 'NOT_FOUND', message: cause.message, cause });
    if (cause instanceof BadRequestError || cause instanceof InvalidCursorError)
      throw new TRPCError({ code: 'BAD_REQUEST', message: cause.message, cause });
  }
  return result;
});

function requireRole(role: Role) {
  return t.middleware(({ ctx, next }) => {
    if (!roleAllows(ctx.actor.role, role)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: `this needs the ${role} role` });
    }
    return next();
  });
}

/** Reports an audited mutation's change once it succeeded, so no tier restates its mutations to audit them. */
const reportAuditedChanges = t.middleware(async ({ ctx, meta, type, getRawInput, next }) => {
  const result = await next();
  if (result.ok && type === 'mutation' && meta?.audit && ctx.onAuditedChange) {
    await ctx.onAuditedChange({ action: meta.audit, input: await getRawInput(), output: result.data });
  }
  return result;
});

const baseProcedure = t.procedure.use(mapDomainErrors).use(reportAuditedChanges);
export const viewerProcedure = baseProcedure.use(requireRole('viewer'));
export const operatorProcedure = baseProcedure.use(requireRole('operator'));
export const adminProcedure = baseProcedure.use(requireRole('admin'));
