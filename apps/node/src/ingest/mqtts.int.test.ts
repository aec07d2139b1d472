import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { connectAsync, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TlsCertificates } from '@tierscope/federation';
import { startTestBroker, type TestBroker } from '@tierscope/test-support/test-broker';
import { openCertificateAuthority, type CertificateAuthority } from '@tierscope/test-support/tls-ca';
import { emptyDeviceAccess } from '../access/device-access.ts';
import { MemoryIngestStore } from '../testing/memory-ingest-store.ts';
import type { EmbeddedBroker } from './embedded-broker.ts';
import { MqttConnection } from './mqtt-connection.ts';
import { startIngest, type IngestRuntime, type IngestRuntimeConfig } from './start-ingest.ts';

/*
 * Devices over MQTTS with certificates made by the repo's CA script: to the embedded broker (its
 * certificate rotated while a device publishes) and to a Mosquitto started from deploy/mosquitto
 * with its TLS listener, the node dialling it over mqtts:// with the CA pinned.
 */

const logger = pino({ level: 'silent' });
let dir: string;
let ca: CertificateAuthority;
let caPem: string;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tierscope-mqtts-'));
  ca = await openCertificateAuthority(join(dir, 'ca'));
  for (const name of ['probe', 'broker']) await ca.issue(name, { hosts: ['127.0.0.1', 'localhost'] });
  caPem = await readFile(ca.caCert, 'utf8');
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

function configOf(nodeId: string, overrides: Partial<IngestRuntimeConfig>): IngestRuntimeConfig {
  return {
    nodeId,
    dataDir: join(dir, nodeId),
    mqttUrl: undefined,
    mqttPort: 0,
    mqttUsername: undefined,
    mqttPassword: undefined,
    deviceAuth: 'off',
    rawRetentionDays: 30,
    unknownDevices: 'register',
    batchMaxSamples: 500,
    batchMaxAgeMs: 20,
    queueLimit: 1000,
    ...overrides,
  };
}

function certificatesOf(name: string): TlsCertificates {
  const certificates = new TlsCertificates({
    settings: {
      tlsCertFile: join(ca.dir, `${name}.crt`),
      tlsKeyFile: join(ca.dir, `${name}.key`),
      tlsClientCerts: 'off',
      dialCaFile: ca.caCert,
    },
    registry: new Registry(),
    logger,
  });
  cleanups.push(async () => certificates.close());
  return certificates;
}

async function started(config: IngestRuntimeConfig, store: MemoryIngestStore, tls: TlsCertificates) {
  const runtime: IngestRuntime = await startIngest({
    config,
    store,
    logger,
    access: emptyDeviceAccess(),
    tls,
    embeddedBrokerHost: '127.0.0.1',
    mqttClientId: `tierscope-node-${config.nodeId}`,
    sessionExpirySeconds: 60,
  });
  cleanups.push(() => runtime.stop(1000));
  if (runtime.intake instanceof MqttConnection) await runtime.intake.whenSubscribed();
  return runtime;
}

async function device(url: string, id: string, protocolVersion: 4 | 5 = 4): Promise<MqttClient> {
  const client = await connectAsync(url, { clientId: id, protocolVersion, reconnectPeriod: 0, ca: caPem });
  cleanups.push(() => client.endAsync(true));
  return client;
}

/** Publishes messages `from`..`from + count - 1` at QoS 1 and waits for every PUBACK. */
async function publish(client: MqttClient, deviceId: string, from: number, count: number): Promise<void> {
  const base = Date.now() - 60_000;
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      client.publishAsync(
        `devices/${deviceId}/telemetry`,
        JSON.stringify({ ts: base + from + i, metrics: { n: from + i } }),
        { qos: 1 },
      ),
    ),
  );
}

async function waitFor(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The serial number of the certificate a new TLS connection to `port` is shown. */
function servedSerial(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca: caPem }, () => {
      resolve(socket.getPeerX509Certificate()?.serialNumber ?? 'none');
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

const valuesOf = (store: MemoryIngestStore, deviceId: string) =>
  store.samplesOf(deviceId).map((sample) => sample.value);

describe('the embedded broker over MQTTS', () => {
  it('takes a device over MQTTS only, with plain MQTT off', async () => {
    const store = new MemoryIngestStore();
    const runtime = await started(
      configOf('mqtts-only', { mqttsPort: 0, mqttPlaintext: 'off' }),
      store,
      certificatesOf('probe'),
    );
    const broker = runtime.intake as EmbeddedBroker;
    expect(() => broker.port).toThrow('no such listener');
    const client = await device(`mqtts://127.0.0.1:${broker.tlsPort}`, 'tls-device');
    await publish(client, 'tls-device', 0, 10);
    await waitFor(() => valuesOf(store, 'tls-device').length === 10);
  });

  it('keeps every message exactly once while its certificate is rotated mid-stream', async () => {
    const store = new MemoryIngestStore();
    const certificates = certificatesOf('probe');
    const runtime = await started(configOf('rotation', { mqttsPort: 0 }), store, certificates);
    const port = (runtime.intake as EmbeddedBroker).tlsPort;
    const before = await servedSerial(port);
    const client = await device(`mqtts://127.0.0.1:${port}`, 'rotating-device');

    const total = 3000;
    const half = total / 2;
    await publish(client, 'rotating-device', 0, half);
    await ca.issue('probe', { hosts: ['127.0.0.1'] });
    // The second half is in flight on the open connection when the new certificate is taken: nothing
    // is awaited between the two, so the rotation cannot wait for the stream to end.
    const publishing = publish(client, 'rotating-device', half, total - half);
    expect(certificates.reload('test rotation')).toBe(true);
    expect(valuesOf(store, 'rotating-device').length).toBeLessThan(total);
    await publishing;

    // The open connection went on; a new one is shown the new certificate.
    expect(await servedSerial(port)).not.toBe(before);
    const serialOnDisk = new X509Certificate(await readFile(join(ca.dir, 'probe.crt'))).serialNumber;
    expect(await servedSerial(port)).toBe(serialOnDisk);
    expect(await runtime.stop()).toBe(true);
    const values = valuesOf(store, 'rotating-device');
    expect(values).toHaveLength(total);
    expect(new Set(values).size).toBe(total);
    expect(runtime.ingest.stats().messagesTotal).toBe(total);
  });
});

describe('Mosquitto with the TLS listener from deploy/mosquitto', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker({ tls: { certDir: ca.dir } });
    cleanups.push(() => broker.stop());
  });

  it('carries a device publishing over MQTTS to a node subscribed over mqtts://', async () => {
    const store = new MemoryIngestStore();
    const tlsUrl = broker.tlsUrl!;
    await started(configOf('mosquitto-tls', { mqttUrl: tlsUrl }), store, certificatesOf('probe'));
    const client = await device(tlsUrl, 'mosquitto-device', 5);
    await publish(client, 'mosquitto-device', 0, 50);
    await waitFor(() => valuesOf(store, 'mosquitto-device').length === 50);
  });
});
