import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerSecurityHeaders } from './security-headers.ts';

const STRICT_CSP =
  "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;font-src 'self';" +
  "connect-src 'self';worker-src 'self';manifest-src 'self';frame-ancestors 'none';object-src 'none';" +
  "base-uri 'none';form-action 'self'";

async function pageHeaders(https: boolean) {
  const app = Fastify();
  await registerSecurityHeaders(app, { https });
  app.get('/', async (_request, reply) => reply.type('text/html').send('<!doctype html><title>t</title>'));
  const res = await app.inject({ method: 'GET', url: '/' });
  await app.close();
  return res.headers;
}

describe('security headers', () => {
  it('sends the strict CSP, no framing, no sniffing and no referrer over plain http, without HSTS', async () => {
    const headers = await pageHeaders(false);
    expect(headers['content-security-policy']).toBe(STRICT_CSP);
    expect(headers).toMatchObject({
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
    });
    // Over http HSTS means nothing, and upgrade-insecure-requests would break the page.
    expect(headers['strict-transport-security']).toBeUndefined();
  });

  it('adds HSTS and upgrade-insecure-requests behind https', async () => {
    const headers = await pageHeaders(true);
    expect(headers['content-security-policy']).toBe(`${STRICT_CSP};upgrade-insecure-requests`);
    expect(headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });
});
