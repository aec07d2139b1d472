import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { adminProcedure, router, viewerProcedure, type NodeContext } from '@tierscope/shared';
import type { AuditOrigin } from './audit.ts';
import type { ConsoleAccess } from './console-access.ts';
import type { ConsoleCaller } from './console-auth.ts';
import {
  AuditChainReport,
  AuditFilter,
  AuditPage,
  ConsoleUser,
  CreateUserInput,
  ResetPasswordInput,
  SessionInfo,
  UpdateUserInput,
  UserId,
} from './console.schemas.ts';

/**
 * The tRPC context of the console's procedures: the node context plus the session's caller, which
 * the BFF's createContext adds as `caller: resolveSessionActor(req)`.
 */
export type ConsoleRouterContext = NodeContext & { caller?: ConsoleCaller | undefined };

/** The session's caller, required: a console procedure is never called without a session. */
function callerIn(ctx: NodeContext): ConsoleCaller {
  const { caller } = ctx as ConsoleRouterContext;
  if (!caller) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'log in first' });
  return caller;
}

const originOf = (caller: ConsoleCaller): AuditOrigin => ({
  actor: caller.actor.name,
  address: caller.address,
});

const IdInput = z.object({ id: UserId });

/**
 * What only the console needs beside the node contract: users (admin), the audit log (admin) and
 * the caller's own sessions. The BFF merges it with the node router for the browser.
 */
export function createConsoleRouter(access: ConsoleAccess) {
  const admin = adminProcedure.use(({ ctx, next }) => next({ ctx: { caller: callerIn(ctx) } }));
  const signedIn = viewerProcedure.use(({ ctx, next }) => next({ ctx: { caller: callerIn(ctx) } }));
  const { users, sessions, audit } = access;

  return router({
    users: router({
      list: admin.output(z.array(ConsoleUser)).query(() => users.list()),
      create: admin
        .input(CreateUserInput)
        .output(ConsoleUser)
        .mutation(({ ctx, input }) => users.create(input, originOf(ctx.caller))),
      update: admin
        .input(UpdateUserInput)
        .output(ConsoleUser)
        .mutation(({ ctx, input }) => users.update(input, originOf(ctx.caller))),
      disable: admin
        .input(IdInput)
        .output(ConsoleUser)
        .mutation(({ ctx, input }) => users.setDisabled(input.id, true, originOf(ctx.caller))),
      enable: admin
        .input(IdInput)
        .output(ConsoleUser)
        .mutation(({ ctx, input }) => users.setDisabled(input.id, false, originOf(ctx.caller))),
      resetPassword: admin
        .input(ResetPasswordInput)
        .output(ConsoleUser)
        .mutation(({ ctx, input }) => users.resetPassword(input, originOf(ctx.caller))),
      /** Logs a user out everywhere at once. */
      revokeSessions: admin
        .input(IdInput)
        .output(z.object({ ended: z.number().int() }))
        .mutation(async ({ ctx, input }) => {
          const user = await users.get(input.id);
          const ended = await sessions.revokeAllOfUser(input.id);
          await audit.append(originOf(ctx.caller), {
            action: 'session.revoke.all',
            target: user.name,
            details: { ended },
          });
          return { ended };
        }),
    }),

    audit: router({
      list: admin
        .input(AuditFilter)
        .output(AuditPage)
        .query(({ input }) => audit.list(input)),
      verify: admin.output(AuditChainReport).query(() => audit.verify()),
    }),

    /** The caller's own sessions: where they are logged in, and logging one of them out. */
    sessions: router({
      list: signedIn.output(z.array(SessionInfo)).query(async ({ ctx }) =>
        (await sessions.listOfUser(ctx.caller.userId)).map((session) => ({
          ...session,
          current: session.id === ctx.caller.sessionId,
        })),
      ),
      revoke: signedIn
        .input(z.object({ id: z.number().int() }))
        .output(z.object({ revoked: z.boolean() }))
        .mutation(async ({ ctx, input }) => {
          const revoked = await sessions.revoke(ctx.caller.userId, input.id);
          if (revoked) {
            await audit.append(originOf(ctx.caller), {
              action: 'session.revoke',
              target: ctx.caller.actor.name,
              details: { sessionId: input.id },
            });
          }
          return { revoked };
        }),
    }),
  });
}

export type ConsoleRouter = ReturnType<typeof createConsoleRouter>;
