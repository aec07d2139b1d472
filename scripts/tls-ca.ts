// `npx tsx scripts/tls-ca.ts …`: a small CA for those who have none (README: TLS).
//   init   DIR                         make the CA in DIR (ca.crt, ca.key, its database)
//   issue  DIR NAME --host H [--host …] [--days N]
//                                      sign DIR/NAME.crt and DIR/NAME.key for serving and dialling
//                                      (a node, the BFF, a broker, a device); again = a rotation
//   revoke DIR NAME                    revoke NAME's certificate and write DIR/crl.pem
//   crl    DIR                         write DIR/crl.pem again (it is valid 30 days)
import { parseArgs } from 'node:util';
import { openCertificateAuthority } from '@tierscope/test-support/tls-ca';

const USAGE = 'usage: tls-ca.ts init DIR | issue DIR NAME --host H… [--days N] | revoke DIR NAME | crl DIR';

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { host: { type: 'string', multiple: true }, days: { type: 'string' } },
  });
  const [command, dir, name] = positionals;
  if (!command || !dir) throw new Error(USAGE);
  const ca = await openCertificateAuthority(dir);
  switch (command) {
    case 'init':
      process.stdout.write(`CA certificate: ${ca.caCert}\n`);
      return;
    case 'issue': {
      if (!name) throw new Error(USAGE);
      const days = values.days === undefined ? undefined : Number(values.days);
      if (days !== undefined && !(Number.isInteger(days) && days > 0))
        throw new Error('--days: a whole number, 1 or more');
      const issued = await ca.issue(name, { hosts: values.host ?? [], ...(days && { days }) });
      process.stdout.write(
        `certificate: ${issued.cert}\nkey:         ${issued.key}\nCA:          ${ca.caCert}\n`,
      );
      return;
    }
    case 'revoke':
      if (!name) throw new Error(USAGE);
      await ca.revoke(name);
      process.stdout.write(`revoked ${name}; CRL: ${await ca.crl()}\n`);
      return;
    case 'crl':
      process.stdout.write(`CRL: ${await ca.crl()}\n`);
      return;
    default:
      throw new Error(USAGE);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
