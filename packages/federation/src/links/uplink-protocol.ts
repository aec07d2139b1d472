import type { RawData } from 'ws';

/*
 * What the two ends of an active uplink agree on. The child dials `ws(s)://parent/uplink` with
 * its id and node token in the handshake headers; once the socket is open, the roles flip: the
 * parent is the tRPC client and the child serves its node router, both speaking tRPC's own
 * WebSocket protocol (`@trpc/client`'s WS client on the parent, `@trpc/server/adapters/ws` on
 * the child). Nothing here is a protocol of our own: only how the socket is opened and closed.
 */

export const UPLINK_PATH = '/uplink';

/** Handshake header naming the child; the token goes in `authorization: Bearer …`. */
export const UPLINK_NODE_HEADER = 'x-tierscope-node';

/** Close codes the parent sends; the child reconnects after any of them unless it was stopped. */
export const UplinkCloseCode = {
  /** Another socket attached for the same child id; the newest one wins. */
  replaced: 4001,
  /** The parent is shutting down its uplink server. */
  parentClosing: 1001,
  /** The child is stopping its uplink. */
  childStopping: 1000,
  /** The child's token was rotated or revoked: it must dial again with a valid one. */
  tokenChanged: 4003,
} as const;

/** The pino-shaped subset of a logger the uplink writes to (a fastify or pino logger fits). */
export interface UplinkLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export const silentLogger: UplinkLogger = { info: () => undefined, warn: () => undefined };

/**
 * Why a call to an uplink child got no answer: no socket attached (`ECONNREFUSED`) or the socket
 * went away while the call was in flight (`ECONNRESET`). The codes are the ones fan-out already
 * reads as `unreachable`, so an uplink child and an HTTP child fail alike.
 */
export class UplinkUnreachableError extends Error {
  override readonly name = 'UplinkUnreachableError';
  constructor(
    readonly childId: string,
    readonly code: 'ECONNREFUSED' | 'ECONNRESET',
    message: string,
  ) {
    super(message);
  }
}

/** A text frame's contents, whichever shape `ws` handed it over in. */
export function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
