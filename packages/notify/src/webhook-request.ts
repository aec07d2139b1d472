import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { WebhookTargetRefusedError } from './allowlist.ts';
import type { AttemptOutcome } from './retry-policy.ts';

/** How much of a refusing answer's body is kept as the error (it usually says what was wrong). */
const DETAIL_BYTES = 300;

export interface WebhookRequest {
  url: string;
  body: string | Buffer;
  headers: Record<string, string>;
  /** The whole request's budget: connect, send and the answer. */
  timeoutMs: number;
  /** Resolves the host: the allowlisted lookup, so the address checked is the one connected to. */
  lookup: LookupFunction;
  /** Aborts the request early (the worker stopping). */
  signal?: AbortSignal | undefined;
}

/**
 * POSTs the body once and reports how it ended; never throws. Redirects are not followed (a
 * redirect could point anywhere), and each request has its own connection, so no socket outlives
 * the DNS answer that was checked for it.
 */
export function postWebhook(request: WebhookRequest): Promise<AttemptOutcome> {
  const url = new URL(request.url);
  const send = url.protocol === 'https:' ? https.request : http.request;
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
  return new Promise<AttemptOutcome>((resolve) => {
    const unanswered = (error: Error): void => {
      if (error instanceof WebhookTargetRefusedError) resolve({ kind: 'unsendable', error: error.message });
      else if (timeout.aborted)
        resolve({ kind: 'unanswered', error: `no answer within ${request.timeoutMs} ms` });
      else resolve({ kind: 'unanswered', error: describeNetworkError(error) });
    };
    const options: http.RequestOptions = {
      method: 'POST',
      headers: { ...request.headers, 'Content-Length': String(Buffer.byteLength(request.body)) },
      lookup: request.lookup,
      agent: false,
      signal,
    };
    let req: http.ClientRequest;
    try {
      req = send(url, options, (res) => void readAnswer(res).then(resolve, unanswered));
    } catch (error) {
      // http.request checks headers synchronously: a request it refuses would be refused again.
      resolve({ kind: 'unsendable', error: (error as Error).message });
      return;
    }
    req.on('error', unanswered);
    req.end(request.body);
  });
}

/** The status, Retry-After and, for a refusal, the start of the body. */
function readAnswer(res: http.IncomingMessage): Promise<AttemptOutcome> {
  const status = res.statusCode ?? 0;
  const chunks: Buffer[] = [];
  let kept = 0;
  return new Promise((resolve, reject) => {
    res.on('data', (chunk: Buffer) => {
      if (status < 300 || kept >= DETAIL_BYTES) return;
      chunks.push(chunk);
      kept += chunk.length;
    });
    res.on('error', reject);
    res.on('end', () => {
      const detail = Buffer.concat(chunks).toString('utf8').slice(0, DETAIL_BYTES).trim();
      resolve({
        kind: 'answered',
        status,
        retryAfter: res.headers['retry-after'],
        detail: detail || undefined,
      });
    });
  });
}

/** The error's code and message, which name the address but never the URL (it may hold a token). */
function describeNetworkError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}
