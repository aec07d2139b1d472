import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { statusMatching } from '../testing/uplink-status.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isComplete, nodeRouter, type Actor, type NodeInfo, type NodeService } from '@tierscope/shared';
import { openCertificateAuthority, type CertificateAuthority } from '@tierscope/test-support/tls-ca';
import { createHttpChildLink, type ChildLink } from '../links/child-link.ts';
import { createHeartbeat, type Heartbeat } from '../links/heartbeat.ts';
import { registerNodeApi } from '../links/node-api.ts';
import { startUplink, type Uplink } from '../links/uplink-client.ts';
import { createUplinkServer, type UplinkServer } from '../links/uplink-server.ts';
import { createFederatedNodeService } from '../query/federated-node-service.ts';
import { createInMemoryNodeService, generateDevices } from '../testing/in-memory-node-service.ts';
import { httpsServerFactory } from './https-server.ts';
import { TlsCertificates, type ClientCertificateCheck, type TlsRefusalReason } from './tls-certificates.ts';
import type { DialTlsFiles } from './tls-settings.ts';

/*
 * The tiers' links over real TLS, in one process, with certificates made by the repo's CA script:
 *
 *   root (bff) ──https──▶ district-1 ──https──▶ probe-b
 *                              ▲
 *                              └──wss (probe-a dials the district's uplink)
 *
 * once with server certificates only, once with client certificates required on every link.
 */

const parentActor: Actor = { kind: 'node', name: 'parent', role: 'admin' };
const UPLINK_TOKEN = 'uplink-token-of-probe-a';
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

let dir: string;
let ca: CertificateAuthority;
let otherCa: CertificateAuthority;
/** Client certificates that must be refused, by what is wrong with them. */
const refusedClients: Partial<Record<TlsRefusalReason, DialTlsFiles>> = {};
const closers: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierscope-tls-links-'));
  ca = await openCertificateAuthority(join(dir, 'ca'));
  otherCa = await openCertificateAuthority(join(dir, 'other-ca'), 'Another CA');
  for (const name of ['district-1', 'probe-a', 'probe-b', 'bff', 'revoked'])
    await ca.issue(name, { hosts: ['127.0.0.1', 'localhost'] });
  const day = 86_400_000;
  await ca.issue('expired', {
    notBefore: new Date(Date.now() - 3 * day),
    notAfter: new Date(Date.now() - day),
  });
  await ca.revoke('revoked');
  await ca.crl();
  await otherCa.issue('stranger', { hosts: ['127.0.0.1'] });
  refusedClients.untrusted = clientOf(otherCa, 'stranger');
  refusedClients.expired = clientOf(ca, 'expired');
  refusedClients.revoked = clientOf(ca, 'revoked');
  refusedClients['no-certificate'] = { ca: readFileSync(ca.caCert, 'utf8') };
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await rm(dir, { recursive: true, force: true });
});

function clientOf(authority: CertificateAuthority, name: string): DialTlsFiles {
  return {
    ca: readFileSync(ca.caCert, 'utf8'),
    cert: readFileSync(join(authority.dir, `${name}.crt`), 'utf8'),
    key: readFileSync(join(authority.dir, `${name}.key`), 'utf8'),
  };
}

type Mode = 'tls' | 'mtls';

/** A tier's certificates as its TLS_* and DIAL_* settings would name them. */
function certificatesOf(name: string, mode: Mode) {
  const registry = new Registry();
  const file = (ext: string) => join(ca.dir, `${name}.${ext}`);
  const certificates = new TlsCertificates({
    settings: {
      tlsCertFile: file('crt'),
      tlsKeyFile: file('key'),
      tlsClientCerts: mode === 'mtls' ? 'require' : 'off',
      ...(mode === 'mtls' && { tlsCaFile: ca.caCert, tlsCrlFile: ca.crlFile }),
      dialCaFile: ca.caCert,
      ...(mode === 'mtls' && { dialCertFile: file('crt'), dialKeyFile: file('key') }),
    },
    registry,
    logger: silent,
  });
  closers.push(() => certificates.close());
  return { certificates, registry };
}

async function refusals(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('tierscope_tls_refusals_total')!.get();
  return Object.fromEntries(metric.values.map((v) => [String(v.labels.reason), v.value]));
}

/** Serves `service` (and the uplink, if given) over https on a free port. */
async function serveTls(
  service: NodeService,
  certificates: TlsCertificates,
  check: ClientCertificateCheck,
  uplink?: UplinkServer,
): Promise<{ app: FastifyInstance; port: number }> {
  const app = Fastify({
    forceCloseConnections: true,
    serverFactory: httpsServerFactory(certificates, check),
  });
  await registerNodeApi(app, { serviceFor: () => service, resolveActor: () => parentActor, uplink });
  app.get('/livez', async () => ({ status: 'ok' }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  closers.push(() => app.close());
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return { app, port: address.port };
}

function leaf(id: string): NodeService {
  return createInMemoryNodeService(id, { devices: generateDevices(id, 5, 3), events: [] }).service;
}

function httpsLink(id: string, port: number, dial: TlsCertificates): ChildLink {
  return createHttpChildLink({ id, url: `https://127.0.0.1:${port}/trpc`, tls: () => dial.dial() });
}

function dialUplink(port: number, tls: () => DialTlsFiles | undefined): Uplink {
  const uplink = startUplink({
    parentUrl: `wss://127.0.0.1:${port}/uplink`,
    childId: 'probe-a',
    token: UPLINK_TOKEN,
    router: nodeRouter,
    contextOf: () => ({ node: leaf('probe-a'), actor: parentActor }),
    backoff: { initialMs: 50, maxMs: 200 },
    tls,
  });
  closers.push(() => uplink.stop());
  return uplink;
}

function firstWatched(link: ChildLink): Promise<NodeInfo> {
  return new Promise((resolve, reject) => {
    const subscription = link.client.node.watch.subscribe(
      { intervalMs: 500 },
      {
        onData: (info) => {
          subscription.unsubscribe();
          resolve(info);
        },
        onError: reject,
      },
    );
  });
}

/** GET /livez as a client with `files` (undefined: plain http); how it ended. */
function probe(port: number, files: DialTlsFiles | undefined): Promise<string> {
  return new Promise((resolve) => {
    const request = (files ? https : http).get(
      { host: '127.0.0.1', port, path: '/livez', agent: false, ...files },
      (response) => {
        response.resume();
        response.on('end', () => resolve(`HTTP ${response.statusCode}`));
        response.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe.each(['tls', 'mtls'] as const)('three tiers over %s', (mode) => {
  let root: NodeService;
  let district: { port: number; registry: Registry };
  let probeB: { port: number; registry: Registry; link: ChildLink };
  let uplinkServer: UplinkServer;
  let probeA: Uplink;
  const heartbeats: Heartbeat[] = [];

  beforeAll(async () => {
    const b = certificatesOf('probe-b', mode);
    const served = await serveTls(leaf('probe-b'), b.certificates, 'every-connection');
    const d = certificatesOf('district-1', mode);
    uplinkServer = createUplinkServer({
      verifyToken: async (childId, token) => childId === 'probe-a' && token === UPLINK_TOKEN,
      admitsClient: (request) => d.certificates.admitsClient(request),
    });
    const linkToB = httpsLink('probe-b', served.port, d.certificates);
    const districtChildren = [linkToB, uplinkServer.link('probe-a')];
    const districtHeartbeat = createHeartbeat(districtChildren);
    const districtService = createFederatedNodeService({
      id: 'district-1',
      isRoot: false,
      children: districtChildren,
      heartbeat: districtHeartbeat,
      deadlineMs: 3000,
    });
    const districtServed = await serveTls(districtService, d.certificates, 'every-connection', uplinkServer);
    const a = certificatesOf('probe-a', mode).certificates;
    probeA = dialUplink(districtServed.port, () => a.dial());
    await statusMatching(probeA, (s) => s.state === 'open');

    const r = certificatesOf('bff', mode);
    const rootChildren = [httpsLink('district-1', districtServed.port, r.certificates)];
    const rootHeartbeat = createHeartbeat(rootChildren);
    heartbeats.push(districtHeartbeat, rootHeartbeat);
    root = createFederatedNodeService({
      id: 'bff',
      isRoot: true,
      children: rootChildren,
      heartbeat: rootHeartbeat,
      deadlineMs: 4000,
    });
    await districtHeartbeat.beat();
    await rootHeartbeat.beat();
    district = { port: districtServed.port, registry: d.registry };
    probeB = { port: served.port, registry: b.registry, link: linkToB };
  });

  afterAll(() => {
    for (const heartbeat of heartbeats) heartbeat.stop();
  });

  it('answers a query from the root through the district from both probes, nothing partial', async () => {
    const page = await root.devices.list({ limit: 100 });
    expect(isComplete(page.coverage)).toBe(true);
    expect(new Set(page.items.map((d) => d.nodePath))).toEqual(
      new Set(['district-1/probe-a', 'district-1/probe-b']),
    );
  });

  it('streams subscriptions down the wss uplink and over https server-sent events', async () => {
    expect((await firstWatched(uplinkServer.link('probe-a'))).id).toBe('probe-a');
    expect((await firstWatched(probeB.link)).id).toBe('probe-b');
  });

  it('refuses plain text on the API port, and logs and counts it', async () => {
    expect(await probe(probeB.port, undefined)).not.toBe('HTTP 200');
    expect((await refusals(probeB.registry))['plain-text']).toBeGreaterThanOrEqual(1);
  });

  if (mode === 'tls') {
    it('answers a caller without a client certificate when none is required', async () => {
      expect(await probe(probeB.port, refusedClients['no-certificate'])).toBe('HTTP 200');
    });
    return;
  }

  it.each(['no-certificate', 'untrusted', 'expired', 'revoked'] as const)(
    'refuses a client whose certificate is %s, and logs and counts it',
    async (reason) => {
      const before = (await refusals(probeB.registry))[reason] ?? 0;
      expect(await probe(probeB.port, refusedClients[reason])).not.toBe('HTTP 200');
      expect((await refusals(probeB.registry))[reason]).toBe(before + 1);
    },
  );

  it('keeps an uplink with a revoked certificate out, and counts it at the parent', async () => {
    const before = (await refusals(district.registry)).revoked ?? 0;
    const revoked = dialUplink(district.port, () => refusedClients.revoked);
    const failed = await statusMatching(revoked, (s) => s.failedAttempts >= 1);
    expect(failed.state).not.toBe('open');
    expect((await refusals(district.registry)).revoked).toBeGreaterThan(before);
    await revoked.stop();
  });
});

describe('a tier that asks for client certificates on its uplink only (the BFF)', () => {
  it('serves a browser without one, and refuses an uplink without one with 403', async () => {
    const { certificates, registry } = certificatesOf('bff', 'mtls');
    const uplink = createUplinkServer({
      verifyToken: async (_childId, token) => token === UPLINK_TOKEN,
      admitsClient: (request) => certificates.admitsClient(request),
    });
    const { port } = await serveTls(leaf('bff'), certificates, 'when-asked', uplink);
    expect(await probe(port, refusedClients['no-certificate'])).toBe('HTTP 200');

    const without = dialUplink(port, () => refusedClients['no-certificate']);
    expect((await statusMatching(without, (s) => s.failedAttempts >= 1)).lastError).toContain('403');
    await without.stop();
    expect((await refusals(registry))['no-certificate']).toBeGreaterThanOrEqual(1);

    const probeA = certificatesOf('probe-a', 'mtls').certificates;
    const withCertificate = dialUplink(port, () => probeA.dial());
    await statusMatching(withCertificate, (s) => s.state === 'open');
    expect(uplink.isAttached('probe-a')).toBe(true);
  });
});
