import type { IncomingHttpHeaders } from 'node:http';
import { ACTING_USER_HEADER, readActingUserHeader } from '@tierscope/federation';
import type { Actor } from '@tierscope/shared';

/*
 * Who calls this node's API. Until the access issue adds parent tokens and passed-through users,
 * every caller is trusted with the admin role: this file is the only place that says so.
 */

/** A caller of the node's HTTP API (a parent that dials it, or a local operator). */
export const LOCAL_ACTOR: Actor = { kind: 'system', name: 'local', role: 'admin' };

/** The parent whose calls arrive down this node's uplink socket. */
export function uplinkParentActor(parentUrl: string): Actor {
  return { kind: 'node', name: `parent via ${new URL(parentUrl).host}`, role: 'admin' };
}

/**
 * The actor of an HTTP call: the user a parent says it acts for (so acks record the real user),
 * else the local caller. Trusted as is until the access issue authenticates the parent first.
 */
export function httpCallerActor(headers: IncomingHttpHeaders): Actor {
  return readActingUserHeader(headers[ACTING_USER_HEADER]) ?? LOCAL_ACTOR;
}
