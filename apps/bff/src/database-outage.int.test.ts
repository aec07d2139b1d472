// The BFF keeps its users, sessions and audit log in PostgreSQL: while that database is unreachable
// it must say so on /readyz (so a load balancer sends consoles to another replica), and once the
// database is back it must be ready again with every session intact.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadinessReport } from '@tierscope/federation';
import { startTcpProxy, type TcpProxy } from '@tierscope/test-support/tcp-proxy';
import { createPostgresDatabase, type TestDatabase } from '@tierscope/test-support/test-databases';
import { loginToConsole, spawnBff, waitFor, waitReady, type TierProcess } from './testing/processes.ts';

const serverDatabase = process.env.TEST_DATABASE_URL;

async function readiness(
  bff: TierProcess,
  signal: AbortSignal,
): Promise<{ status: number; report?: ReadinessReport }> {
  const response = await fetch(`${bff.url}/readyz`, { signal }).catch(() => undefined);
  if (!response) return { status: 0 };
  return { status: response.status, report: (await response.json()) as ReadinessReport };
}

describe.skipIf(!serverDatabase)('a BFF whose PostgreSQL is unreachable for a while', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let dataDir: string;
  let bff: TierProcess | undefined;

  beforeAll(async () => {
    database = await createPostgresDatabase(serverDatabase!);
    const direct = new URL(database.url);
    proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    dataDir = mkdtempSync(join(tmpdir(), 'tierscope-bff-outage-'));
  });
  afterAll(async () => {
    await bff?.stop('SIGTERM');
    await proxy.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers /readyz 503 naming the database while it is cut off, then 200 again with the session still valid', async () => {
    const proxied = new URL(database.url);
    proxied.port = String(proxy.port);
    bff = await spawnBff({ DATABASE_URL: proxied.toString(), WEB_DIST: join(dataDir, 'no-console-here') });
    await waitReady(bff);
    const session = await loginToConsole(bff.url);
    const me = () => fetch(`${bff!.url}/auth/me`, { headers: session.headers });
    expect((await me()).status).toBe(200);

    proxy.cut();
    const cutAt = performance.now();
    let unready: ReadinessReport | undefined;
    await waitFor('the BFF to report its database unready', async (signal) => {
      const { status, report } = await readiness(bff!, signal);
      if (status === 503) unready = report;
      return status === 503;
    });
    // A figure for the record (the issue asks for 503 within 3 s), not an assertion: the machine is shared.
    console.log(
      `BFF /readyz answered 503 ${Math.round(performance.now() - cutAt)} ms after its database was cut`,
    );
    expect(unready?.checks.database).toMatchObject({ ok: false });

    proxy.restore();
    await waitFor(
      'the BFF to report ready again',
      async (signal) => (await readiness(bff!, signal)).status === 200,
    );
    expect((await me()).status, 'the session made before the outage').toBe(200);
  });
});
