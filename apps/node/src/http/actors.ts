import type { IncomingHttpHeaders } from 'node:http';
import { ACTING_USER_HEADER, readActingUserHeader } from '@tierscope/federation';
import type { Actor } from '@tierscope/shared';

/*
 * Who calls this node's API. With PARENT_TOKEN_HASHES set, only a parent presenting its token gets
 * this far (authorizeCall in main.ts), and the user it acts for is checked here like any other
 * (role and scope). Without them the node is open, for a laptop: this file is the only place
 * that says who such a caller is.
 */

/** A caller of the node's HTTP API (a parent that dials it, or a local operator). */
export const LOCAL_ACTOR: Actor = { kind: 'system', name: 'local', role: 'admin' };

/** The parent whose calls arrive down this node's uplink socket. */
export function uplinkParentActor(parentUrl: string): Actor {
  return { kind: 'node', name: `parent via ${new URL(parentUrl).host}`, role: 'admin' };
}

/**
 * The actor of an HTTP call: the user a parent says it acts for (so acks record the real user and
 * the user's role and scope apply here too), else the local caller.
 */
export function httpCallerActor(headers: IncomingHttpHeaders): Actor {
  return readActingUserHeader(headers[ACTING_USER_HEADER]) ?? LOCAL_ACTOR;
}
