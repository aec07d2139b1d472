// The certificate files a tier serves and dials with: the settings, and reading them into what
// node:tls takes, checked the same way at start and at every reload (docs/decisions/0022).
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { z } from 'zod';

const FilePath = z.string().min(1).optional();

/**
 * `TLS_CERT_FILE`, `TLS_KEY_FILE`: the certificate (leaf first, then any intermediates) and key
 * the tier's servers present. `TLS_CLIENT_CERTS=require` (with `TLS_CA_FILE`, the CA client
 * certificates must chain to, and optionally `TLS_CRL_FILE`, its revocation list) asks every
 * caller for a certificate. `DIAL_CA_FILE` pins the CA of every server the tier dials (children,
 * parents' uplinks, an mqtts:// broker) instead of the system's; `DIAL_CERT_FILE`/`DIAL_KEY_FILE`
 * are the client certificate it presents there.
 */
export const tlsConfigFields = {
  tlsCertFile: FilePath,
  tlsKeyFile: FilePath,
  tlsCaFile: FilePath,
  tlsCrlFile: FilePath,
  tlsClientCerts: z.enum(['off', 'require']).default('off'),
  dialCaFile: FilePath,
  dialCertFile: FilePath,
  dialKeyFile: FilePath,
};

export interface TlsSettings {
  tlsCertFile?: string | undefined;
  tlsKeyFile?: string | undefined;
  tlsCaFile?: string | undefined;
  tlsCrlFile?: string | undefined;
  tlsClientCerts: 'off' | 'require';
  dialCaFile?: string | undefined;
  dialCertFile?: string | undefined;
  dialKeyFile?: string | undefined;
}

type FileSetting = Exclude<keyof TlsSettings, 'tlsClientCerts'>;

/** The settings that name files (the ones a reload reads again). */
export const TLS_FILE_SETTINGS: readonly FileSetting[] = [
  'tlsCertFile',
  'tlsKeyFile',
  'tlsCaFile',
  'tlsCrlFile',
  'dialCaFile',
  'dialCertFile',
  'dialKeyFile',
];

/** Each setting's name in the environment, for messages. */
export const TLS_SETTING_NAMES: Record<keyof TlsSettings, string> = {
  tlsCertFile: 'TLS_CERT_FILE',
  tlsKeyFile: 'TLS_KEY_FILE',
  tlsCaFile: 'TLS_CA_FILE',
  tlsCrlFile: 'TLS_CRL_FILE',
  tlsClientCerts: 'TLS_CLIENT_CERTS',
  dialCaFile: 'DIAL_CA_FILE',
  dialCertFile: 'DIAL_CERT_FILE',
  dialKeyFile: 'DIAL_KEY_FILE',
};

export function tlsEnv(env: NodeJS.ProcessEnv): Record<keyof typeof tlsConfigFields, unknown> {
  return {
    tlsCertFile: env.TLS_CERT_FILE || undefined,
    tlsKeyFile: env.TLS_KEY_FILE || undefined,
    tlsCaFile: env.TLS_CA_FILE || undefined,
    tlsCrlFile: env.TLS_CRL_FILE || undefined,
    tlsClientCerts: env.TLS_CLIENT_CERTS || undefined,
    dialCaFile: env.DIAL_CA_FILE || undefined,
    dialCertFile: env.DIAL_CERT_FILE || undefined,
    dialKeyFile: env.DIAL_KEY_FILE || undefined,
  };
}

/** What the tier's TLS servers are given: PEM text, as `tls.createServer` and `setSecureContext` take it. */
export interface ServerTlsFiles {
  cert: string;
  key: string;
  ca?: string;
  crl?: string;
  /** The leaf certificate presented, for logs and the expiry gauge. */
  leaf: X509Certificate;
}

/** What the tier presents and trusts when it dials: PEM text, as `tls.connect` takes it. */
export interface DialTlsFiles {
  /** Replaces the system's CAs: only servers under this CA are trusted. */
  ca?: string;
  cert?: string;
  key?: string;
}

export interface TlsFiles {
  /** Undefined when the tier serves plain text. */
  server: ServerTlsFiles | undefined;
  /** Undefined when the tier dials with node's defaults. */
  dial: DialTlsFiles | undefined;
}

/** One thing wrong with the files, naming the setting. */
export interface TlsProblem {
  setting: keyof TlsSettings;
  message: string;
}

export type TlsFilesRead = { ok: true; files: TlsFiles } | { ok: false; problems: TlsProblem[] };

/**
 * Reads and checks every configured file: it exists, holds PEM of its kind, a key matches its
 * certificate, a certificate is valid at `now`, and node:tls accepts the whole (a CRL that does not
 * parse, say). Every problem is returned, each naming its setting.
 */
export function readTlsFiles(settings: TlsSettings, now = Date.now()): TlsFilesRead {
  const problems: TlsProblem[] = [];
  const report = (setting: keyof TlsSettings, message: string) => problems.push({ setting, message });
  const server = readServerFiles(settings, now, report);
  const dial = readDialFiles(settings, now, report);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, files: { server, dial } };
}

/** As a zod refinement on a config with `tlsConfigFields`: every problem as an issue on its setting. */
export function tlsFilesReadable(config: TlsSettings, ctx: z.RefinementCtx): void {
  const read = readTlsFiles(config);
  if (read.ok) return;
  for (const problem of read.problems)
    ctx.addIssue({
      code: 'custom',
      path: [problem.setting],
      message: `${TLS_SETTING_NAMES[problem.setting]}: ${problem.message}`,
    });
}

type Report = (setting: keyof TlsSettings, message: string) => void;

function readServerFiles(settings: TlsSettings, now: number, report: Report): ServerTlsFiles | undefined {
  const { tlsCertFile, tlsKeyFile, tlsCaFile, tlsCrlFile, tlsClientCerts } = settings;
  if (tlsCertFile === undefined || tlsKeyFile === undefined) {
    if (tlsCertFile !== undefined) report('tlsKeyFile', 'required with TLS_CERT_FILE');
    if (tlsKeyFile !== undefined) report('tlsCertFile', 'required with TLS_KEY_FILE');
    for (const setting of ['tlsCaFile', 'tlsCrlFile'] as const)
      if (settings[setting] !== undefined) report(setting, 'only with TLS_CERT_FILE and TLS_KEY_FILE');
    if (tlsClientCerts === 'require')
      report('tlsClientCerts', 'require needs TLS_CERT_FILE, TLS_KEY_FILE and TLS_CA_FILE');
    return undefined;
  }
  if (tlsClientCerts === 'require' && tlsCaFile === undefined)
    report('tlsCaFile', 'required with TLS_CLIENT_CERTS=require (the CA client certificates chain to)');
  if (tlsClientCerts === 'off' && (tlsCaFile !== undefined || tlsCrlFile !== undefined))
    report(tlsCaFile !== undefined ? 'tlsCaFile' : 'tlsCrlFile', 'only with TLS_CLIENT_CERTS=require');
  const pair = readKeyPair(settings, 'tlsCertFile', 'tlsKeyFile', now, report);
  const ca = tlsCaFile === undefined ? undefined : readCertificates(settings, 'tlsCaFile', report);
  const crl = tlsCrlFile === undefined ? undefined : readCrl(settings, 'tlsCrlFile', report);
  if (!pair || (tlsCaFile !== undefined && !ca) || (tlsCrlFile !== undefined && !crl)) return undefined;
  const files: ServerTlsFiles = {
    cert: pair.cert,
    key: pair.key,
    leaf: pair.leaf,
    ...(ca && { ca: ca.text }),
    ...(crl !== undefined && { crl }),
  };
  try {
    createSecureContext(files);
  } catch (error) {
    report(
      tlsCrlFile !== undefined ? 'tlsCrlFile' : 'tlsCertFile',
      `node:tls refuses it: ${messageOf(error)}`,
    );
    return undefined;
  }
  return files;
}

function readDialFiles(settings: TlsSettings, now: number, report: Report): DialTlsFiles | undefined {
  const { dialCaFile, dialCertFile, dialKeyFile } = settings;
  if ((dialCertFile === undefined) !== (dialKeyFile === undefined)) {
    report(
      dialCertFile === undefined ? 'dialCertFile' : 'dialKeyFile',
      'DIAL_CERT_FILE and DIAL_KEY_FILE go together',
    );
    return undefined;
  }
  const ca = dialCaFile === undefined ? undefined : readCertificates(settings, 'dialCaFile', report);
  const pair =
    dialCertFile === undefined
      ? undefined
      : readKeyPair(settings, 'dialCertFile', 'dialKeyFile', now, report);
  if (!ca && !pair) return undefined;
  return { ...(ca && { ca: ca.text }), ...(pair && { cert: pair.cert, key: pair.key }) };
}

function readKeyPair(
  settings: TlsSettings,
  certSetting: 'tlsCertFile' | 'dialCertFile',
  keySetting: 'tlsKeyFile' | 'dialKeyFile',
  now: number,
  report: Report,
): { cert: string; key: string; leaf: X509Certificate } | undefined {
  const certificates = readCertificates(settings, certSetting, report);
  const keyText = readText(settings, keySetting, report);
  let key: KeyObject | undefined;
  if (keyText !== undefined) {
    try {
      key = createPrivateKey(keyText);
    } catch (error) {
      report(keySetting, `not a PEM private key (${messageOf(error)})`);
    }
  }
  const leaf = certificates?.certificates[0];
  if (!certificates || !leaf || !key || keyText === undefined) return undefined;
  if (!leaf.checkPrivateKey(key)) {
    report(keySetting, `does not match the certificate in ${TLS_SETTING_NAMES[certSetting]}`);
    return undefined;
  }
  const validity = validityProblem(leaf, now);
  if (validity) {
    report(certSetting, validity);
    return undefined;
  }
  return { cert: certificates.text, key: keyText, leaf };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function readCertificates(
  settings: TlsSettings,
  setting: FileSetting,
  report: Report,
): { text: string; certificates: X509Certificate[] } | undefined {
  const text = readText(settings, setting, report);
  if (text === undefined) return undefined;
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) {
    report(setting, `${settings[setting]}: holds no PEM certificate`);
    return undefined;
  }
  try {
    return { text, certificates: blocks.map((block) => new X509Certificate(block)) };
  } catch (error) {
    report(setting, `${settings[setting]}: a certificate does not parse (${messageOf(error)})`);
    return undefined;
  }
}

function readCrl(settings: TlsSettings, setting: FileSetting, report: Report): string | undefined {
  const text = readText(settings, setting, report);
  if (text === undefined) return undefined;
  if (!text.includes('-----BEGIN X509 CRL-----')) {
    report(setting, `${settings[setting]}: holds no PEM certificate revocation list`);
    return undefined;
  }
  return text;
}

function readText(settings: TlsSettings, setting: FileSetting, report: Report): string | undefined {
  const path = settings[setting];
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    report(setting, `${path}: ${code === 'ENOENT' ? 'no such file' : messageOf(error)}`);
    return undefined;
  }
}

function validityProblem(certificate: X509Certificate, now: number): string | undefined {
  if (Date.parse(certificate.validTo) <= now) return `the certificate expired on ${certificate.validTo}`;
  if (Date.parse(certificate.validFrom) > now)
    return `the certificate is not valid before ${certificate.validFrom}`;
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
