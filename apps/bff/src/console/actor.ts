import type { Actor } from '@tierscope/shared';

/**
 * Who a console request acts as. Until sessions and users exist (the access issue), every request
 * is this one system actor with the admin role: the only place that says so.
 */
export const CONSOLE_SYSTEM_ACTOR: Actor = { kind: 'system', name: 'console', role: 'admin' };

export function resolveConsoleActor(): Actor {
  return CONSOLE_SYSTEM_ACTOR;
}
