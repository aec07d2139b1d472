// Regression (found by the fault suite, scenario 3): a node whose PostgreSQL was down for a few
// seconds never used it again. Each refused connect used up one of the pool's connections for
// good (postgres.js drops a connection whose `socket` option fails without closing it), and once
// all were used up every query waited forever, also after PostgreSQL was back.
import { createServer, connect, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@tierscope/test-support/processes';
import { postgresNoDelay } from './open-store.ts';

const serverDatabase = process.env.TEST_DATABASE_URL;
const POOL = 2;

describe.skipIf(!serverDatabase)('a pool whose database refused connections for a while', () => {
  let forwarder: Server | undefined;
  afterAll(async () => {
    await new Promise((resolve) => (forwarder ? forwarder.close(resolve) : resolve(undefined)));
  });

  it('connects again once the database listens, after more refusals than it has connections', async () => {
    const port = await freePort();
    const url = new URL(serverDatabase!);
    const target = { host: url.hostname, port: Number(url.port || 5432) };
    url.hostname = '127.0.0.1';
    url.port = String(port);
    const sql = postgresNoDelay(url.toString(), { max: POOL, connect_timeout: 5 });
    try {
      // Nothing listens on the port yet: every query fails, each on a refused connect.
      const refused = await within(
        Promise.allSettled(Array.from({ length: POOL * 3 }, () => sql`select 1 as one`)),
      );
      expect(Array.isArray(refused) && refused.every((result) => result.status === 'rejected')).toBe(true);

      // The database is back on that port.
      forwarder = createServer((client) => {
        const upstream = connect(target.port, target.host);
        client.pipe(upstream).pipe(client);
        client.on('error', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
      });
      await new Promise<void>((resolve) => forwarder!.listen(port, '127.0.0.1', resolve));

      expect(await within(sql`select 1 as one`)).toEqual([{ one: 1 }]);
    } finally {
      await sql.end({ timeout: 1 });
    }
  });
});

/** What `promise` resolves to, or a sentence saying it did not settle within 10 s. */
function within<T>(promise: Promise<T>): Promise<T | string> {
  return Promise.race([
    promise,
    new Promise<string>((resolve) => setTimeout(() => resolve('did not settle within 10 s'), 10_000)),
  ]);
}
