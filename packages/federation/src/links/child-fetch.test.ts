import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChildFetch } from './child-fetch.ts';
import { classifyFailure } from '../query/fan-out.ts';

describe('createChildFetch', () => {
  let server: http.Server;
  let url: string;
  const sockets = new Set<unknown>();

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      sockets.add(request.socket);
      if (request.url?.startsWith('/slow')) return;
      response.writeHead(request.url === '/missing' ? 404 : 200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ path: request.url, deadline: request.headers['x-tierscope-deadline-ms'] }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers the body as JSON with the headers sent, over one kept-alive connection', async () => {
    const fetchChild = createChildFetch();
    sockets.clear();
    for (let i = 0; i < 3; i++) {
      const response = await fetchChild(`${url}/trpc/devices.list?input=${i}`, {
        headers: { 'x-tierscope-deadline-ms': '900' },
      });
      expect(response.ok).toBe(true);
      expect(await response.json()).toEqual({ path: `/trpc/devices.list?input=${i}`, deadline: '900' });
    }
    expect(sockets.size).toBe(1);
  });

  it('reports an error status as not ok, with its body', async () => {
    const response = await createChildFetch()(`${url}/missing`);
    expect(response).toMatchObject({ ok: false, status: 404 });
    expect(await response.json()).toEqual({ path: '/missing' });
  });

  it('gives up when the signal fires', async () => {
    const answer = createChildFetch()(`${url}/slow`, { signal: AbortSignal.timeout(50) });
    await expect(answer).rejects.toThrow(/abort/i);
  });

  it('keeps the network error code, so the fan-out names the child unreachable', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await createChildFetch()(`http://127.0.0.1:${port}/trpc/node.ping`).catch(
      (e: unknown) => e,
    );
    expect(classifyFailure(error).state).toBe('unreachable');
  });
});
