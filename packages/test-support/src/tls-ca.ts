// A small certificate authority on `openssl` (scripts/tls-ca.ts is its command line): a CA, and
// node, BFF and device certificates signed by it, revocations and the CRL. For the demo, the tests,
// and operators who have no CA of their own (README: TLS).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface IssueOptions {
  /** DNS names and IP addresses the certificate is for (its subjectAltName). */
  hosts?: readonly string[];
  /** Default 825 days from now. */
  days?: number;
  /** Explicit validity, e.g. a certificate that has expired already (tests). */
  notBefore?: Date;
  notAfter?: Date;
}

export interface IssuedCertificate {
  /** The certificate (PEM). */
  cert: string;
  /** Its private key (PEM, mode 0600). */
  key: string;
}

export interface CertificateAuthority {
  dir: string;
  /** The CA's certificate: what TLS_CA_FILE and DIAL_CA_FILE name, and what clients trust. */
  caCert: string;
  /** The CRL file (`crl()` writes it). */
  crlFile: string;
  /**
   * Signs a certificate for `name` (its common name) valid for serving and for dialling (server
   * and client authentication), into `<dir>/<name>.crt` and `.key`. Issuing a name again replaces
   * both files (a rotation), each by a rename, so a reader sees the old file or the new one.
   */
  issue(name: string, options?: IssueOptions): Promise<IssuedCertificate>;
  /** Revokes the certificate last issued for `name`; `crl()` publishes it. */
  revoke(name: string): Promise<void>;
  /** Writes the CRL (valid 30 days) to `crlFile` and returns its path. */
  crl(): Promise<string>;
}

/**
 * Opens the CA kept in `dir`, or makes one there (an EC P-256 key, ten years) when there is none.
 */
export async function openCertificateAuthority(
  directory: string,
  commonName = 'Tierscope CA',
): Promise<CertificateAuthority> {
  const dir = resolve(directory);
  const file = (name: string) => join(dir, name);
  const config = file('openssl.cnf');
  if (!existsSync(file('ca.crt'))) {
    await mkdir(join(dir, 'issued'), { recursive: true });
    await writeFile(config, caConfig(dir));
    await writeFile(file('index.txt'), '');
    await writeFile(file('serial'), '1000\n');
    await writeFile(file('crlnumber'), '1000\n');
    await newKey(file('ca.key'));
    await openssl([
      'req',
      '-x509',
      '-new',
      '-key',
      file('ca.key'),
      '-sha256',
      '-days',
      '3650',
      '-subj',
      `/CN=${commonName}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      file('ca.crt'),
    ]);
  }
  return {
    dir,
    caCert: file('ca.crt'),
    crlFile: file('crl.pem'),
    async issue(name, options = {}) {
      assertName(name);
      const staged = {
        key: file(`${name}.key.new`),
        csr: file(`${name}.csr`),
        cert: file(`${name}.crt.new`),
      };
      const extensions = file(`${name}.ext`);
      await newKey(staged.key);
      await openssl(['req', '-new', '-key', staged.key, '-subj', `/CN=${name}`, '-out', staged.csr]);
      await writeFile(extensions, leafExtensions(options.hosts ?? []));
      const now = Date.now();
      const notBefore = options.notBefore ?? new Date(now - 60_000);
      const notAfter = options.notAfter ?? new Date(now + (options.days ?? 825) * 86_400_000);
      await openssl([
        'ca',
        '-batch',
        '-notext',
        '-config',
        config,
        '-in',
        staged.csr,
        '-out',
        staged.cert,
        '-extfile',
        extensions,
        '-startdate',
        asn1Time(notBefore),
        '-enddate',
        asn1Time(notAfter),
      ]);
      await rm(staged.csr);
      await rm(extensions);
      const issued = { cert: file(`${name}.crt`), key: file(`${name}.key`) };
      await rename(staged.key, issued.key);
      await rename(staged.cert, issued.cert);
      return issued;
    },
    async revoke(name) {
      assertName(name);
      await openssl(['ca', '-config', config, '-revoke', file(`${name}.crt`)]);
    },
    async crl() {
      await openssl(['ca', '-config', config, '-gencrl', '-out', file('crl.pem')]);
      return file('crl.pem');
    },
  };
}

async function newKey(path: string): Promise<void> {
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path]);
  await chmod(path, 0o600);
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim() || String(error)}`, { cause: error });
  }
}

function assertName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name))
    throw new Error(`certificate name "${name}": letters, digits, . _ - (a file name and a common name)`);
}

/** `openssl ca` takes validity as YYYYMMDDHHMMSSZ. */
function asn1Time(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

function leafExtensions(hosts: readonly string[]): string {
  const names = hosts.map((host) => (isIP(host) ? `IP:${host}` : `DNS:${host}`));
  return [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth,clientAuth',
    'subjectKeyIdentifier=hash',
    'authorityKeyIdentifier=keyid',
    ...(names.length > 0 ? [`subjectAltName=${names.join(',')}`] : []),
    '',
  ].join('\n');
}

/** The least `openssl ca` needs: where the CA keeps its files, and any subject is fine. */
function caConfig(dir: string): string {
  return `[ ca ]
default_ca = tierscope

[ tierscope ]
dir = ${dir}
database = $dir/index.txt
new_certs_dir = $dir/issued
certificate = $dir/ca.crt
private_key = $dir/ca.key
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
default_days = 825
default_crl_days = 30
policy = any_subject
unique_subject = no
copy_extensions = none

[ any_subject ]
commonName = supplied
`;
}
