// `npm start -- --tls`: every link of the demo on TLS, with a CA made (once) under the data directory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { Agent, setGlobalDispatcher } from 'undici';
import { openCertificateAuthority } from './tls-ca.ts';

/** The names certificates are issued for: each tier, and the launcher (it asks every node /readyz). */
const LAUNCHER = 'launcher';
const HOSTS = ['127.0.0.1', 'localhost'];

export interface DemoTls {
  /** The CA's certificate: trust it to reach the demo (browser, curl --cacert, openssl s_client -CAfile). */
  caCert: string;
  dir: string;
  /**
   * A tier's settings: its certificate served and presented when it dials, the CA pinned, client
   * certificates required (on a node: every connection; on the BFF: its uplink), and a node's
   * embedded broker on MQTTS only, on its MQTT port.
   */
  tierEnv(name: string, mqttPort?: number): Record<string, string>;
  /** What a device simulator needs to trust the brokers. */
  simulatorEnv(): Record<string, string>;
}

/**
 * Opens (or makes) the demo's CA under `<dataDir>/tls`, issues a certificate for each of `tiers`,
 * and has this process's fetch trust the CA and present the launcher's certificate, so that the
 * launcher's readiness checks pass the nodes' client-certificate check.
 */
export async function prepareDemoTls(dataDir: string, tiers: readonly string[]): Promise<DemoTls> {
  const ca = await openCertificateAuthority(join(dataDir, 'tls'), 'Tierscope demo CA');
  for (const name of [...tiers, LAUNCHER]) await ca.issue(name, { hosts: HOSTS, days: 30 });
  const file = (name: string, ext: 'crt' | 'key') => join(ca.dir, `${name}.${ext}`);
  setGlobalDispatcher(
    new Agent({
      connect: {
        ca: [...rootCertificates, readFileSync(ca.caCert, 'utf8')],
        cert: readFileSync(file(LAUNCHER, 'crt')),
        key: readFileSync(file(LAUNCHER, 'key')),
      },
    }),
  );
  return {
    caCert: ca.caCert,
    dir: ca.dir,
    tierEnv: (name, mqttPort) => ({
      TLS_CERT_FILE: file(name, 'crt'),
      TLS_KEY_FILE: file(name, 'key'),
      TLS_CLIENT_CERTS: 'require',
      TLS_CA_FILE: ca.caCert,
      DIAL_CA_FILE: ca.caCert,
      DIAL_CERT_FILE: file(name, 'crt'),
      DIAL_KEY_FILE: file(name, 'key'),
      ...(mqttPort !== undefined && { MQTTS_PORT: String(mqttPort), MQTT_PLAINTEXT: 'off' }),
    }),
    simulatorEnv: () => ({ NODE_EXTRA_CA_CERTS: ca.caCert }),
  };
}
