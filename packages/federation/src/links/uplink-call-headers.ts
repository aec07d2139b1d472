import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingHttpHeaders } from 'node:http';
import type { NodeContext } from '@tierscope/shared';
import { actingUserHeaders } from './acting-user.ts';
import { deadlineHeaders } from './deadline-budget.ts';

/*
 * The per-call headers of an uplink. Over HTTP a parent sends each call the user it acts for and
 * its time left as headers; tRPC's WebSocket protocol has no per-call headers, so the parent wraps
 * each call's input as `{ [CALL_HEADERS_KEY]: headers, input }` and the child unwraps it before
 * tRPC reads the message, running the call with those headers in scope. The child then reads them
 * with the same functions as an HTTP call's, so both kinds of child enforce and audit alike.
 */

const CALL_HEADERS_KEY = '__tierscopeHeaders';

/** The parent's side: an input wrapped with the headers of a call made now. */
export function wrapWithCallHeaders(input: unknown): unknown {
  return { [CALL_HEADERS_KEY]: { ...deadlineHeaders(), ...actingUserHeaders() }, input };
}

interface RequestMessage {
  id: unknown;
  method: unknown;
  params?: { input?: unknown };
}

interface CallScope {
  headers: IncomingHttpHeaders;
  context?: NodeContext;
}

const callScope = new AsyncLocalStorage<CallScope>();

/**
 * The child's side: splits a frame into its messages (tRPC may batch several calls in one) and
 * hands each to `deliver` unwrapped, inside the scope of its own call headers. A frame that is not
 * JSON or carries no wrapped input (PONG, a stop message) is delivered as it is.
 */
export function deliverWithCallHeaders(text: string, deliver: (text: string) => void): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    deliver(text);
    return;
  }
  const messages = Array.isArray(parsed) ? parsed : [parsed];
  for (const message of messages) {
    const wrapped = unwrap(message);
    if (wrapped) callScope.run({ headers: wrapped.headers }, () => deliver(JSON.stringify(wrapped.message)));
    else deliver(JSON.stringify(message));
  }
}

function unwrap(message: unknown): { message: RequestMessage; headers: IncomingHttpHeaders } | undefined {
  if (typeof message !== 'object' || message === null || !('params' in message)) return undefined;
  const request = message as RequestMessage;
  const input = request.params?.input;
  if (typeof input !== 'object' || input === null || !(CALL_HEADERS_KEY in input)) return undefined;
  const { [CALL_HEADERS_KEY]: headers, input: inner } = input as Record<string, unknown>;
  return {
    message: { ...request, params: { ...request.params, input: inner } },
    headers: isHeaderMap(headers) ? headers : {},
  };
}

function isHeaderMap(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.values(value).every((v) => typeof v === 'string' && v.length <= 4096)
  );
}

/**
 * The tRPC context of an uplink socket, whose `node`, `actor` and `budgetMs` are those of the call
 * being served: `contextOf` gets that call's headers (none outside a call) and runs once per call.
 */
export function perCallContext(contextOf: (headers: IncomingHttpHeaders) => NodeContext): NodeContext {
  const current = (): NodeContext => {
    const scope = callScope.getStore();
    if (!scope) return contextOf({});
    scope.context ??= contextOf(scope.headers);
    return scope.context;
  };
  return {
    get node() {
      return current().node;
    },
    get actor() {
      return current().actor;
    },
    get budgetMs() {
      return current().budgetMs;
    },
  };
}
