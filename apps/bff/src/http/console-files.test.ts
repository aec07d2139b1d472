import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMMUTABLE, registerConsoleFiles, REVALIDATE } from './console-files.ts';

const SHELL =
  '<!doctype html><title>console</title><script type="module" src="/assets/index-Ab12Cd34.js"></script>';
const ASSET = 'export const answer = 42;'.repeat(40);

/** A build as `vite build` leaves it: each text file with its .br and .gz copy. */
function writeBuild(dir: string): void {
  const write = (path: string, text: string) => {
    writeFileSync(join(dir, path), text);
    writeFileSync(join(dir, `${path}.br`), brotliCompressSync(text));
    writeFileSync(join(dir, `${path}.gz`), gzipSync(text));
  };
  mkdirSync(join(dir, 'assets'));
  write('index.html', SHELL);
  write('assets/index-Ab12Cd34.js', ASSET);
  write('sw.js', 'self.skipWaiting();');
}

describe('the console as a CDN would serve it', () => {
  let dir: string;
  let app: FastifyInstance;
  const get = (url: string, acceptEncoding?: string) =>
    app.inject({ method: 'GET', url, headers: acceptEncoding ? { 'accept-encoding': acceptEncoding } : {} });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tierscope-console-files-'));
    writeBuild(dir);
    app = Fastify();
    app.get('/trpc/ping', () => 'pong');
    await registerConsoleFiles(app, dir);
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the brotli copy of a hashed asset to a browser that takes br, cached for a year as immutable', async () => {
    const response = await get('/assets/index-Ab12Cd34.js', 'gzip, deflate, br');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers['cache-control']).toBe(IMMUTABLE);
    expect(response.headers.vary).toMatch(/accept-encoding/i);
    expect(brotliDecompressSync(response.rawPayload).toString()).toBe(ASSET);
  });

  it('sends the gzip copy to a browser without br, and the file itself to one that takes neither', async () => {
    const gzip = await get('/assets/index-Ab12Cd34.js', 'gzip');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.rawPayload).toString()).toBe(ASSET);
    const plain = await get('/assets/index-Ab12Cd34.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(ASSET);
    expect(plain.headers['cache-control']).toBe(IMMUTABLE);
  });

  it('never lets the HTML shell be cached without asking, at / and at any page the SPA routes', async () => {
    for (const url of ['/', '/index.html', '/alerts', '/devices/pump-1?node=probe-a']) {
      const response = await get(url, 'br');
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['cache-control'], url).toBe(REVALIDATE);
      expect(response.headers['content-type'], url).toMatch(/text\/html/);
      expect(brotliDecompressSync(response.rawPayload).toString(), url).toBe(SHELL);
    }
  });

  it('revalidates files outside the hashed assets (the service worker)', async () => {
    const response = await get('/sw.js', 'br');
    expect(response.headers['cache-control']).toBe(REVALIDATE);
  });

  it('answers an unknown API path with 404, not the shell', async () => {
    const response = await get('/trpc/nothing.here');
    expect(response.statusCode).toBe(404);
    expect((await get('/trpc/ping')).body).toBe('pong');
  });
});
