import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  createTRPCClient,
  createWSClient,
  TRPCClientError,
  wsLink,
  type Operation,
  type OperationResultEnvelope,
  type TRPCClientRuntime,
  type TRPCLink,
} from '@trpc/client';
import { observable, type Observer, type Unsubscribable } from '@trpc/server/observable';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { NodeId, type NodeRouter } from '@tierscope/shared';
import type { ChildLink } from './child-link.ts';
import {
  rawText,
  silentLogger,
  UPLINK_NODE_HEADER,
  UPLINK_PATH,
  UplinkCloseCode,
  UplinkUnreachableError,
  type UplinkLogger,
} from './uplink-protocol.ts';
import { wrapWithCallHeaders } from './uplink-call-headers.ts';

export interface UplinkServerOptions {
  /**
   * Whether `token` is `childId`'s node token. Resolve false to refuse the socket (HTTP 401);
   * a verifier that throws refuses it too (HTTP 503) and is logged.
   */
  verifyToken(childId: NodeId, token: string): Promise<boolean>;
  /**
   * Whether the connection presents a client certificate the tier accepts (TLS_CLIENT_CERTS=require
   * on a tier that checks it per request, the BFF); false refuses the socket (HTTP 403) before
   * the token is looked at. The check logs and counts its refusals. Default: every connection.
   */
  admitsClient?: (request: IncomingMessage) => boolean;
  /** Default `/uplink`. */
  path?: string;
  /**
   * The parent pings each child this often when the socket is quiet and drops the socket when
   * no answer comes within `pongTimeoutMs`. Defaults 5000 and 2000 ms.
   */
  keepAlive?: { intervalMs?: number; pongTimeoutMs?: number };
  /** Largest frame accepted from a child. Default 16 MiB. */
  maxPayloadBytes?: number;
  logger?: UplinkLogger;
}

export interface UplinkEvent {
  childId: NodeId;
  /** Why a socket detached: closed by the child, replaced, dropped by the keep-alive, parent closing. */
  reason?: string;
}

/**
 * The parent's end of active uplinks: children dial in, and their calls go down their own
 * sockets. Attach it to one or more HTTP servers (it only takes upgrades on its path).
 */
export interface UplinkServer {
  /** Takes WebSocket upgrades on the uplink path of `server`; returns a function that stops. */
  attach(server: Server): () => void;
  /**
   * The child as a `ChildLink`, attached or not. Its client always sends down the socket the
   * child holds at the time of the call; with none, the call fails at once with an
   * `UplinkUnreachableError` (fan-out: `unreachable`); a socket lost mid-call fails the call
   * the same way, and ends a subscription with that error.
   */
  link(childId: NodeId): ChildLink;
  isAttached(childId: NodeId): boolean;
  attachedIds(): NodeId[];
  /** `attach` after a child's socket is registered; `detach` when it is gone. Returns an unsubscribe. */
  on(event: 'attach' | 'detach', listener: (event: UplinkEvent) => void): () => void;
  /** Detaches one child at once (its token changed); the others keep their sockets. */
  drop(childId: NodeId, reason: string): Promise<void>;
  /** Refuses new sockets and closes every uplink; resolves when they are closed (≤ ~1 s). */
  close(): Promise<void>;
}

const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;
/** How long a closing socket may take for its close handshake before it is cut. */
const CLOSE_GRACE_MS = 1000;

export function createUplinkServer(options: UplinkServerOptions): UplinkServer {
  const path = options.path ?? UPLINK_PATH;
  const logger = options.logger ?? silentLogger;
  const keepAlive = {
    enabled: true,
    intervalMs: options.keepAlive?.intervalMs ?? 5000,
    pongTimeoutMs: options.keepAlive?.pongTimeoutMs ?? 2000,
  };
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD,
    perMessageDeflate: false,
  });
  const sessions = new Map<NodeId, UplinkSession>();
  const links = new Map<NodeId, ChildLink>();
  const listeners = {
    attach: new Set<(e: UplinkEvent) => void>(),
    detach: new Set<(e: UplinkEvent) => void>(),
  };
  const detachers = new Set<() => void>();
  let closed = false;

  const emit = (event: 'attach' | 'detach', payload: UplinkEvent) => {
    for (const listener of listeners[event]) {
      try {
        listener(payload);
      } catch (error) {
        logger.warn({ err: error, event }, 'uplink listener threw');
      }
    }
  };

  const register = (childId: NodeId, socket: WebSocket) => {
    if (closed) {
      socket.close(UplinkCloseCode.parentClosing, 'parent closing');
      return;
    }
    // The older socket detaches (and its calls in flight fail) at once; its close may lag.
    void sessions.get(childId)?.end('replaced by a newer uplink', UplinkCloseCode.replaced);
    const session = new UplinkSession(childId, socket, keepAlive, logger, (reason) => {
      if (sessions.get(childId) !== session) return;
      sessions.delete(childId);
      logger.info({ childId, reason }, 'uplink detached');
      emit('detach', { childId, reason });
    });
    sessions.set(childId, session);
    logger.info({ childId }, 'uplink attached');
    emit('attach', { childId });
  };

  const accept = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const onEarlyError = () => socket.destroy();
    socket.on('error', onEarlyError);
    if (options.admitsClient && !options.admitsClient(req)) {
      refuse(socket, 403, 'Forbidden');
      return;
    }
    const childId = NodeId.safeParse(req.headers[UPLINK_NODE_HEADER]);
    const token = bearerToken(req.headers.authorization);
    if (!childId.success || token === undefined) {
      refuse(socket, 400, 'Bad Request');
      return;
    }
    let verified: boolean;
    try {
      verified = await options.verifyToken(childId.data, token);
    } catch (error) {
      logger.warn({ err: error, childId: childId.data }, 'uplink token check failed');
      refuse(socket, 503, 'Service Unavailable');
      return;
    }
    if (!verified) {
      logger.warn(
        { childId: childId.data, address: req.socket.remoteAddress },
        'uplink refused: bad node token',
      );
      refuse(socket, 401, 'Unauthorized');
      return;
    }
    socket.off('error', onEarlyError);
    if (closed) {
      refuse(socket, 503, 'Service Unavailable');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => register(childId.data, ws));
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (pathOf(req.url) !== path) return;
    if (closed) {
      refuse(socket, 503, 'Service Unavailable');
      return;
    }
    void accept(req, socket, head);
  };

  return {
    attach(server) {
      server.on('upgrade', onUpgrade);
      const detach = () => {
        server.off('upgrade', onUpgrade);
        detachers.delete(detach);
      };
      detachers.add(detach);
      return detach;
    },
    link(childId) {
      let link = links.get(childId);
      if (!link) {
        link = {
          id: childId,
          client: createTRPCClient<NodeRouter>({ links: [uplinkLink(childId, () => sessions.get(childId))] }),
        };
        links.set(childId, link);
      }
      return link;
    },
    isAttached: (childId) => sessions.has(childId),
    attachedIds: () => [...sessions.keys()],
    on(event, listener) {
      listeners[event].add(listener);
      return () => listeners[event].delete(listener);
    },
    async drop(childId, reason) {
      await sessions.get(childId)?.end(reason, UplinkCloseCode.tokenChanged);
    },
    async close() {
      closed = true;
      for (const detach of [...detachers]) detach();
      const ending = [...sessions.values()].map((s) =>
        s.end('parent closing', UplinkCloseCode.parentClosing),
      );
      await Promise.all(ending);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/**
 * The terminating link of an uplink child's client: each call goes to the session attached at
 * the time of the call, or fails at once when there is none.
 */
function uplinkLink(childId: NodeId, current: () => UplinkSession | undefined): TRPCLink<NodeRouter> {
  return (runtime) =>
    ({ op }) =>
      observable((observer) => {
        const session = current();
        if (!session) {
          observer.error(
            TRPCClientError.from(
              new UplinkUnreachableError(childId, 'ECONNREFUSED', `child ${childId} has no uplink attached`),
            ),
          );
          return;
        }
        return session.run(runtime, op, observer);
      });
}

type LinkObserver = Observer<
  OperationResultEnvelope<unknown, TRPCClientError<NodeRouter>>,
  TRPCClientError<NodeRouter>
>;

/**
 * One accepted socket. tRPC's WS client runs over it through `AcceptedSocket`; when the socket
 * goes, every call in flight on it fails as unreachable and the WS client is closed before it
 * can try to dial (a parent never dials a child).
 */
class UplinkSession {
  private readonly inFlight = new Set<(error: UplinkUnreachableError) => void>();
  private readonly client: ReturnType<typeof createWSClient>;
  private adapter: AcceptedSocket | undefined;
  private ended: Promise<void> | undefined;

  constructor(
    private readonly childId: NodeId,
    private readonly socket: WebSocket,
    keepAlive: { enabled: boolean; intervalMs: number; pongTimeoutMs: number },
    logger: UplinkLogger,
    private readonly onEnd: (reason: string) => void,
  ) {
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) this.adapter?.receive(rawText(data));
    });
    socket.on('error', (error) => logger.warn({ err: error, childId }, 'uplink socket error'));
    socket.once('close', (code: number) => void this.end(`socket closed (${code})`));
    this.client = createWSClient({
      url: `ws://uplink.invalid/${encodeURIComponent(childId)}`,
      // The client uses only what AcceptedSocket has: readyState, send, close, the four events.
      WebSocket: acceptedSocketClass(socket, {
        created: (adapter) => {
          this.adapter = adapter;
          if (this.ended) adapter.markClosing();
        },
        dialledAgain: () => void this.client.close().catch(() => undefined),
      }) as unknown as BrowserWebSocketClass,
      keepAlive,
      // Never reached: the client is closed before its socket closes. Kept slow in case it is.
      retryDelayMs: () => 60_000,
    });
  }

  /**
   * Sends one call down this socket through tRPC's `wsLink`. Until the call settles it is in
   * flight here, so `end()` can fail it as unreachable instead of leaving it to its deadline.
   */
  run(runtime: TRPCClientRuntime, op: Operation, observer: LinkObserver): () => void {
    if (this.ended) {
      observer.error(TRPCClientError.from(this.lostError()));
      return () => undefined;
    }
    let done = false;
    // Set once `subscribe` returns; `fail` may come before that only in theory.
    const inner: { subscription?: Unsubscribable } = {};
    const settle = () => {
      done = true;
      this.inFlight.delete(fail);
    };
    const fail = (error: UplinkUnreachableError) => {
      if (done) return;
      settle();
      inner.subscription?.unsubscribe();
      observer.error(TRPCClientError.from(error));
    };
    this.inFlight.add(fail);
    const terminating = () =>
      observable<never, TRPCClientError<NodeRouter>>((o) =>
        o.error(TRPCClientError.from(new Error('the uplink link is terminating'))),
      );
    // tRPC's WebSocket protocol has no per-call headers: the input goes down wrapped with the
    // headers of this call (acting user, time left), taken now, in the caller's scope.
    const subscription = wsLink<NodeRouter>({ client: this.client })(runtime)({
      op: { ...op, input: wrapWithCallHeaders(op.input) },
      next: terminating,
    }).subscribe({
      next: (value) => observer.next(value),
      error: (error) => {
        if (done) return;
        settle();
        observer.error(this.ended ? TRPCClientError.from(this.lostError()) : error);
      },
      complete: () => {
        if (done) return;
        settle();
        observer.complete();
      },
    });
    inner.subscription = subscription;
    if (done) subscription.unsubscribe();
    return () => {
      settle();
      subscription.unsubscribe();
    };
  }

  /**
   * Detaches the session and fails its calls in flight; then closes the socket with `code`
   * (cut after a short grace). Resolves when the socket is closed.
   */
  end(reason: string, code?: number): Promise<void> {
    if (this.ended) return this.ended;
    this.adapter?.markClosing();
    const closed = new Promise<void>((resolve) => {
      if (this.socket.readyState === this.socket.CLOSED) resolve();
      else this.socket.once('close', () => resolve());
    });
    this.ended = closed;
    this.onEnd(reason);
    const error = new UplinkUnreachableError(
      this.childId,
      'ECONNRESET',
      `uplink of ${this.childId} lost: ${reason}`,
    );
    for (const fail of [...this.inFlight]) fail(error);
    // Closing first stops the WS client from reconnecting when it sees its socket close.
    this.client.close().catch(() => undefined);
    this.adapter?.dispatchClose(code ?? 1006, reason);
    if (this.socket.readyState !== this.socket.CLOSED) {
      if (code !== undefined && this.socket.readyState === this.socket.OPEN) this.socket.close(code, reason);
      const cut = setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS);
      cut.unref();
      void closed.then(() => clearTimeout(cut));
    }
    return closed;
  }

  private lostError() {
    return new UplinkUnreachableError(this.childId, 'ECONNRESET', `uplink of ${this.childId} lost`);
  }
}

/** The browser-style `WebSocket` class `createWSClient` takes. */
type BrowserWebSocketClass = NonNullable<Parameters<typeof createWSClient>[0]['WebSocket']>;

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/**
 * An accepted `ws` socket dressed as the browser `WebSocket` that tRPC's WS client constructs:
 * it reports itself open on the next tick, hands text frames on as `message` events, and its
 * `close()` (the client's keep-alive giving up) cuts the socket. The session feeds it frames
 * and the close, in that order after its own bookkeeping.
 */
class AcceptedSocket extends EventTarget {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;
  readonly CONNECTING = CONNECTING;
  readonly OPEN = OPEN;
  readonly CLOSING = CLOSING;
  readonly CLOSED = CLOSED;
  readyState: number = CONNECTING;
  /** Set by the client; frames are JSON text, so it is not used. */
  binaryType = 'arraybuffer';

  constructor(private readonly socket: WebSocket) {
    super();
    setImmediate(() => {
      // A socket that closed before the client got to it fails the client's open instead.
      if (this.readyState !== CONNECTING) {
        this.dispatchEvent(new Event('error'));
        return;
      }
      this.readyState = OPEN;
      this.dispatchEvent(new Event('open'));
    });
  }

  send(data: string): void {
    if (this.readyState === OPEN) this.socket.send(data);
  }

  close(): void {
    this.socket.terminate();
  }

  receive(data: string): void {
    if (this.readyState === OPEN) this.dispatchEvent(Object.assign(new Event('message'), { data }));
  }

  markClosing(): void {
    if (this.readyState < CLOSING) this.readyState = CLOSING;
  }

  dispatchClose(code: number, reason: string): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.dispatchEvent(Object.assign(new Event('close'), { code, reason, wasClean: code !== 1006 }));
  }
}

/**
 * The `WebSocket` class handed to `createWSClient`: its first construction wraps the accepted
 * socket; any later one (the client trying to reconnect, which it must never do) throws and
 * closes the client.
 */
function acceptedSocketClass(
  socket: WebSocket,
  hooks: { created(adapter: AcceptedSocket): void; dialledAgain(): void },
) {
  let taken = false;
  return class UplinkSocket extends AcceptedSocket {
    constructor() {
      if (taken) {
        hooks.dialledAgain();
        throw new Error('an uplink socket is never dialled again; the child reconnects');
      }
      taken = true;
      super(socket);
      hooks.created(this);
    }
  };
}

function refuse(socket: Duplex, status: number, text: string): void {
  if (socket.destroyed) return;
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer (\S+)$/i.exec(header);
  return match?.[1];
}

function pathOf(url: string | undefined): string {
  const end = url?.indexOf('?') ?? -1;
  return url === undefined ? '' : end === -1 ? url : url.slice(0, end);
}
