import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body's bytes, for a binary one (an encrypted push). */
  rawBody: Buffer;
  /** Epoch ms when the answer was sent. */
  answeredAt: number;
  status: number;
}

export interface Answer {
  /** Never answer (a receiver that hangs); the request is still recorded. */
  hang?: boolean;
  /** Answer this much later (a slow push service). */
  delayMs?: number;
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** A webhook receiver on 127.0.0.1; `answer` picks the reply to the n-th request (from 1). */
export interface TestReceiver {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** Listens on `port` (default: a free one), so a test can bring a receiver back where it was. */
export async function startTestReceiver(answer: (n: number) => Answer, port = 0): Promise<TestReceiver> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const reply = answer(requests.length + 1);
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        rawBody: Buffer.concat(chunks),
        answeredAt: Date.now(),
        status: reply.status,
      });
      if (reply.hang) return;
      const send = () => res.writeHead(reply.status, reply.headers).end(reply.body ?? '');
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
