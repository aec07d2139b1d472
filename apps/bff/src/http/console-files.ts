// The console's built files (apps/web/dist) as a CDN would serve them (decision 23): the brotli or
// gzip copy the build made, chosen by Accept-Encoding; hashed assets cached for a year as immutable;
// everything else, the HTML shell first, revalidated on every use so a new release shows at once.
import { sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Vite's assets folder: every file in it has a content hash in its name. */
const HASHED_ASSETS_DIR = 'assets';
export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const REVALIDATE = 'no-cache';
/** Paths the BFF answers itself: never the console's shell. */
const API_PATH = /^\/(trpc|export|auth|uplink|livez|readyz|healthz|metrics)(\/|$|\?)/;

/** Serves `webDist` with an SPA fallback to index.html for any other GET or HEAD. */
export async function registerConsoleFiles(app: FastifyInstance, webDist: string): Promise<void> {
  const hashedAssets = `${webDist.replace(/[/\\]$/, '')}${sep}${HASHED_ASSETS_DIR}${sep}`;
  await app.register(fastifyStatic, {
    root: webDist,
    wildcard: false,
    preCompressed: true,
    // Cache-Control is set per file below.
    cacheControl: false,
    setHeaders: (response, path) => {
      response.setHeader('cache-control', path.startsWith(hashedAssets) ? IMMUTABLE : REVALIDATE);
      // A cache keeps one copy per encoding.
      response.setHeader('vary', 'accept-encoding');
    },
  });
  app.setNotFoundHandler((request, reply) => {
    // HEAD is a GET without the body (link checkers, uptime probes ask for pages that way).
    const read = request.method === 'GET' || request.method === 'HEAD';
    if (!read || API_PATH.test(request.url)) return reply.code(404).send({ error: 'not found' });
    return reply.sendFile('index.html');
  });
}
