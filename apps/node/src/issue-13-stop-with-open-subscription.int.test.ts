// Regression (found by the fault suite's rolling restart): a node asked to stop (SIGTERM) while
// its parent held the live alert stream open never finished closing its HTTP server, and left
// through the 10 s safety exit with code 1, every time. It must close open subscriptions and stop.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnNode, waitReady, type NodeProcess } from '@tierscope/test-support/processes';

describe('a node stopped while a parent watches its alerts', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tierscope-stop-'));
  let node: NodeProcess | undefined;
  afterAll(async () => {
    await node?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('closes the stream and exits cleanly within a few seconds of SIGTERM', async () => {
    node = await spawnNode('stop-watched', { DATABASE_URL: 'pglite:memory', DATA_DIR: dataDir });
    await waitReady(node);
    const stream = await fetch(`${node.url}/trpc/alerts.watch`, { headers: { accept: 'text/event-stream' } });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    // The stream is open once its first event (the connection's) has arrived.
    await reader.read();
    const reading = (async () => {
      while (!(await reader.read().catch(() => ({ done: true }))).done);
    })();

    const asked = Date.now();
    const exit = await node.stop('SIGTERM', 30_000);
    expect({ exit, withinSeconds: Date.now() - asked < 5000 }).toEqual({
      exit: { code: 0, signal: null },
      withinSeconds: true,
    });
    await reading;
  });
});
