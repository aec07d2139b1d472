import http from 'node:http';
import https from 'node:https';
import type { DialTlsFiles } from '../tls/tls-settings.ts';

/** What a passive link's `httpLink` needs back from a fetch: the status and the body as JSON. */
export interface ChildResponse {
  readonly ok: boolean;
  readonly status: number;
  json(): Promise<unknown>;
}

/** The subset of `fetch`'s arguments a tRPC `httpLink` passes. */
export interface ChildRequestInit {
  method?: string;
  headers?: ConstructorParameters<typeof Headers>[0] | [string, string][] | Record<string, string>;
  body?: unknown;
  signal?: AbortSignal | null | undefined;
}

export type ChildFetch = (url: string | URL | Request, init?: ChildRequestInit) => Promise<ChildResponse>;

/**
 * A `fetch` for one child's calls: node:http over a keep-alive agent of that child's own, so every
 * call reuses a warm connection and no child's sockets wait behind another's. The global fetch
 * (undici behind WHATWG Request, Response, streams and abort signals) cost about twice the CPU per
 * call, and a fan-out pays it once per child (docs/decisions/0012).
 * An aborted signal destroys the request; network errors keep their code (ECONNREFUSED, …) for
 * the fan-out to classify. An https request is made with `tls()`'s files of the moment (the CA
 * pinned, the client certificate): the agent pools connections per files, so after a reload new
 * connections use the new ones while open ones finish.
 */
export function createChildFetch(tls: () => DialTlsFiles | undefined = () => undefined): ChildFetch {
  const agents = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true }),
  };
  return (url, init = {}) => {
    const target = new URL(typeof url === 'string' || url instanceof URL ? url : url.url);
    const agent = target.protocol === 'https:' ? agents['https:'] : agents['http:'];
    const send = target.protocol === 'https:' ? https.request : http.request;
    return new Promise<ChildResponse>((resolve, reject) => {
      const request = send(
        target,
        {
          method: init.method ?? 'GET',
          headers: headersOf(init.headers),
          agent,
          ...(target.protocol === 'https:' && tls()),
          ...(init.signal && { signal: init.signal }),
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = response.statusCode ?? 0;
            resolve({
              ok: status >= 200 && status < 300,
              status,
              json: () => Promise.resolve().then(() => JSON.parse(text) as unknown),
            });
          });
        },
      );
      request.on('error', reject);
      if (typeof init.body === 'string') request.end(init.body);
      else if (init.body === undefined || init.body === null) request.end();
      else request.destroy(new TypeError('a child call body must be a JSON string'));
    });
  };
}

function headersOf(headers: ChildRequestInit['headers']): Record<string, string> {
  if (headers === undefined) return {};
  if (headers instanceof Headers || Array.isArray(headers))
    return Object.fromEntries(headers as Iterable<readonly [string, string]>);
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    flat[name] = Array.isArray(value) ? value.join(', ') : String(value);
  return flat;
}
