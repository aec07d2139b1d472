// A PostgreSQL cluster of the suite's own (initdb in a directory of its own, its own port), run in
// a tier's namespace as the postgres user, so a scenario can stop it hard and start it again.
import { chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inNamespace, sh } from './netns.ts';

export interface Cluster {
  /** postgres://postgres@<address>:<port>/<database>, from `host`'s point of view. */
  url(host: string): string;
  /** `pg_ctl stop -m immediate`: no shutdown checkpoint, every connection dropped (a crash). */
  crash(): Promise<void>;
  start(): Promise<void>;
  /** A fast stop; idempotent. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  ns: string;
  dir: string;
  port: number;
  database: string;
}

/** The newest PostgreSQL binaries Debian installed. */
function pgBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const version = versions.find((v) => existsSync(join(root, v, 'bin', 'initdb')));
  if (!version) throw new Error(`no PostgreSQL binaries under ${root}`);
  return join(root, version, 'bin');
}

/** initdb (trust for the suite's addresses), start, create the database. */
export async function createCluster(options: ClusterOptions): Promise<Cluster> {
  const { ns, dir, port, database } = options;
  const bin = pgBin();
  const data = join(dir, 'data');
  mkdirSync(dir, { recursive: true });
  const { uid, gid } = await postgresUser();
  chownSync(dir, uid, gid);
  const asPostgres = (tool: string, args: string[]) =>
    sh(inNamespace(ns)[0]!, [
      ...inNamespace(ns).slice(1),
      'runuser',
      '-u',
      'postgres',
      '--',
      join(bin, tool),
      ...args,
    ]);
  await asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  writeFileSync(
    join(data, 'postgresql.auto.conf'),
    [
      `port = ${port}`,
      `listen_addresses = '*'`,
      `unix_socket_directories = '${dir}'`,
      'max_connections = 50',
      'fsync = on',
    ].join('\n') + '\n',
  );
  writeFileSync(
    join(data, 'pg_hba.conf'),
    ['local all all trust', 'host all all 127.0.0.1/32 trust', 'host all all 10.213.0.0/16 trust'].join(
      '\n',
    ) + '\n',
  );
  chownSync(join(data, 'postgresql.auto.conf'), uid, gid);
  chownSync(join(data, 'pg_hba.conf'), uid, gid);
  const log = join(dir, 'postgres.log');
  const start = async (): Promise<void> => {
    await asPostgres('pg_ctl', ['start', '-w', '-t', '60', '-D', data, '-l', log]);
  };
  let running = false;
  await start();
  running = true;
  await asPostgres('createdb', ['-h', dir, '-p', String(port), '-U', 'postgres', database]);
  return {
    url: (host) => `postgres://postgres@${host}:${port}/${database}`,
    crash: async () => {
      await asPostgres('pg_ctl', ['stop', '-m', 'immediate', '-D', data]);
      running = false;
    },
    start: async () => {
      await start();
      running = true;
    },
    stop: async () => {
      if (!running) return;
      running = false;
      await asPostgres('pg_ctl', ['stop', '-m', 'fast', '-D', data]).catch(() => undefined);
    },
  };
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([sh('id', ['-u', 'postgres']), sh('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}
