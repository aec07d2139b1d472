import { createServer } from 'node:https';
import type { FastifyServerFactory } from 'fastify';
import type { ClientCertificateCheck, TlsCertificates } from './tls-certificates.ts';

/**
 * A fastify `serverFactory` for a tier's HTTP API over TLS: an https server on the tier's current
 * certificates, kept current across reloads, its refusals logged and counted (`TlsCertificates.serve`).
 */
export function httpsServerFactory(
  certificates: TlsCertificates,
  check: ClientCertificateCheck,
): FastifyServerFactory {
  return (handler) => {
    const server = createServer(certificates.serverOptions(), handler);
    const stop = certificates.serve(server, 'api', check);
    server.once('close', stop);
    return server;
  };
}
