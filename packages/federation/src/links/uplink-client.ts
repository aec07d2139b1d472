import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { getWSConnectionHandler } from '@trpc/server/adapters/ws';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { NodeContext, NodeId, NodeRouter } from '@tierscope/shared';
import type { DialTlsFiles } from '../tls/tls-settings.ts';
import { deliverWithCallHeaders, perCallContext } from './uplink-call-headers.ts';
import {
  rawText,
  silentLogger,
  UPLINK_NODE_HEADER,
  UplinkCloseCode,
  type UplinkLogger,
} from './uplink-protocol.ts';

export interface UplinkOptions {
  /** The parent's uplink endpoint, e.g. `wss://district-1.example:4000/uplink`. */
  parentUrl: string;
  childId: NodeId;
  /** This node's token, read again on every dial so a rotated token is picked up. */
  token: string | (() => string);
  /** The router served to the parent over the socket: the node contract. */
  router: NodeRouter;
  /**
   * The context of one call from the parent, from the headers it sent with the call (the user it
   * acts for, its time left), as an HTTP call's would be read.
   */
  contextOf: (headers: IncomingHttpHeaders) => NodeContext;
  logger?: UplinkLogger;
  /** Jittered exponential backoff between dials. Defaults 500 ms doubling up to 10 000 ms. */
  backoff?: { initialMs?: number; maxMs?: number };
  /**
   * The child pings the parent after `pingMs` of quiet and redials when nothing comes back
   * within `pongWaitMs`. Defaults 5000 and 2000 ms.
   */
  keepAlive?: { pingMs?: number; pongWaitMs?: number };
  /** For tests: the jitter source. */
  random?: () => number;
  /**
   * On a wss:// parent: the CA to pin and the client certificate to present (DIAL_*), read at
   * every dial so a reload is picked up.
   */
  tls?: () => DialTlsFiles | undefined;
}

export type UplinkState = 'connecting' | 'open' | 'waiting' | 'stopped';

export interface UplinkStatus {
  state: UplinkState;
  /** Dials since the last open socket. */
  failedAttempts: number;
  /** The last reason a dial failed or a socket closed, e.g. `Unexpected server response: 401`. */
  lastError: string | null;
}

/** A child's uplink to its parent; it redials by itself until stopped. */
export interface Uplink {
  status(): UplinkStatus;
  /** Calls `listener` on every change of `status()`; returns an unsubscribe. */
  onStatus(listener: (status: UplinkStatus) => void): () => void;
  /** Stops redialling and closes the socket (subscriptions on it end); resolves once it is closed. */
  stop(): Promise<void>;
}

const DEFAULT_INITIAL_MS = 500;
const DEFAULT_MAX_MS = 10_000;

/**
 * The wait before dial number `failedAttempts + 1`: `initialMs · 2^failedAttempts`, capped at
 * `maxMs`, with "equal jitter" (a random point in its upper half), so children that lost the
 * same parent do not redial in step.
 */
export function uplinkBackoffMs(
  failedAttempts: number,
  backoff: { initialMs?: number; maxMs?: number } = {},
  random: () => number = Math.random,
): number {
  const initialMs = backoff.initialMs ?? DEFAULT_INITIAL_MS;
  const maxMs = backoff.maxMs ?? DEFAULT_MAX_MS;
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(failedAttempts, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Dials the parent's uplink and serves `router` on the socket with tRPC's own WebSocket handler,
 * so the parent's queries, mutations and subscriptions reach this node without it listening on
 * any port. Redials with jittered exponential backoff after a refused dial (a bad token is
 * refused with HTTP 401 and retried, slowly) or a lost socket.
 */
export function startUplink(options: UplinkOptions): Uplink {
  const logger = options.logger ?? silentLogger;
  const random = options.random ?? Math.random;
  const serve = getWSConnectionHandler<NodeRouter>({
    // Required by the option type; getWSConnectionHandler serves the one socket it is given.
    wss: new WebSocketServer({ noServer: true }),
    router: options.router,
    createContext: () => perCallContext(options.contextOf),
    keepAlive: {
      enabled: true,
      pingMs: options.keepAlive?.pingMs ?? 5000,
      pongWaitMs: options.keepAlive?.pongWaitMs ?? 2000,
    },
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') logger.warn({ err: error, path }, 'uplink call failed');
    },
  });
  const listeners = new Set<(status: UplinkStatus) => void>();
  let status: UplinkStatus = { state: 'connecting', failedAttempts: 0, lastError: null };
  let socket: WebSocket | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const setStatus = (next: Partial<UplinkStatus>) => {
    status = { ...status, ...next };
    for (const listener of listeners) listener(status);
  };

  const dial = () => {
    if (stopped) return;
    setStatus({ state: 'connecting' });
    const token = typeof options.token === 'function' ? options.token() : options.token;
    const ws = new WebSocket(options.parentUrl, {
      headers: { authorization: `Bearer ${token}`, [UPLINK_NODE_HEADER]: options.childId },
      handshakeTimeout: 5000,
      perMessageDeflate: false,
      ...options.tls?.(),
    });
    socket = ws;
    let upgrade: IncomingMessage | undefined;
    let opened = false;
    ws.once('upgrade', (response) => (upgrade = response));
    ws.once('open', () => {
      opened = true;
      setStatus({ state: 'open', failedAttempts: 0, lastError: null });
      logger.info({ parentUrl: options.parentUrl, childId: options.childId }, 'uplink open');
      // The upgrade response stands in for the request the handler reads its URL and headers from.
      if (upgrade) {
        deliverCallsOneByOne(ws);
        serve(ws, upgrade);
      } else ws.terminate();
    });
    ws.on('error', (error) => setStatus({ lastError: error.message }));
    ws.once('close', (code: number, reason: Buffer) => {
      if (socket === ws) socket = undefined;
      if (stopped) return;
      const why = opened
        ? `closed by the parent (${code}${reason.length ? `: ${reason.toString()}` : ''})`
        : status.lastError;
      const failedAttempts = opened ? 0 : status.failedAttempts + 1;
      const delayMs = uplinkBackoffMs(failedAttempts, options.backoff, random);
      setStatus({ state: 'waiting', failedAttempts, lastError: why });
      logger.warn(
        { parentUrl: options.parentUrl, childId: options.childId, reason: why, retryInMs: delayMs },
        code === UplinkCloseCode.replaced ? 'uplink replaced by another socket for this id' : 'uplink down',
      );
      retry = setTimeout(dial, delayMs);
    });
  };

  dial();

  return {
    status: () => status,
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(retry);
      const ws = socket;
      if (ws && ws.readyState !== WebSocket.CLOSED) {
        const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
        if (ws.readyState === WebSocket.OPEN) ws.close(UplinkCloseCode.childStopping, 'child stopping');
        const cut = setTimeout(() => ws.terminate(), 1000);
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        await closed;
        clearTimeout(cut);
      }
      setStatus({ state: 'stopped' });
    },
  };
}

/**
 * Messages reach tRPC's handler one call at a time, each inside the scope of the headers the
 * parent sent with it (uplink-call-headers.ts). Installed before the handler subscribes.
 */
function deliverCallsOneByOne(ws: WebSocket): void {
  const emit = ws.emit.bind(ws);
  ws.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
    const [data, isBinary] = args as [RawData, boolean];
    if (event !== 'message' || isBinary) return emit(event, ...args);
    deliverWithCallHeaders(rawText(data), (text) => emit('message', Buffer.from(text), false));
    return true;
  }) as typeof ws.emit;
}
