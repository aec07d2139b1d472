import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * The console's Content Security Policy: everything from the BFF's own origin, nothing inline, no
 * eval, no framing. A Vite build needs no more (module scripts, stylesheets and the service worker
 * are files; small assets are inlined as data: images); ECharts draws on a canvas. React's `style`
 * props are set through the CSSOM, which style-src does not govern; HTML with style attributes
 * (ECharts' default HTML tooltips) loses those styles, so tooltips render as rich text or DOM nodes.
 */
export const CONSOLE_CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  workerSrc: ["'self'"],
  manifestSrc: ["'self'"],
  frameAncestors: ["'none'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
} satisfies Record<string, string[]>;

/**
 * Security headers on every response: the CSP above, no framing, no sniffing, no referrer, and,
 * when the console is served over https, HSTS and upgrade-insecure-requests (over plain http, as
 * in development, both would only break the page).
 */
export async function registerSecurityHeaders(
  app: FastifyInstance,
  options: { https: boolean },
): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        ...CONSOLE_CSP_DIRECTIVES,
        ...(options.https && { upgradeInsecureRequests: [] }),
      },
    },
    strictTransportSecurity: options.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
}
