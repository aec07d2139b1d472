import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnProcess, spawnTier, waitFor, waitReady, type SpawnedProcess } from './processes.ts';

// Small scripts in place of a tier: each does the one thing a test needs.
const dir = mkdtempSync(join(tmpdir(), 'tierscope-launcher-'));
const script = (name: string, source: string): string => {
  const file = join(dir, name);
  writeFileSync(file, source);
  return file;
};
const CRASHES = script(
  'crashes.mjs',
  `console.log('opening the database'); console.error('boom: database is locked'); process.exit(3);`,
);
const NEVER_READY = script(
  'never-ready.mjs',
  `import { createServer } from 'node:http';
   // Accepts /readyz and never answers, as a server stuck on its database would.
   createServer(() => undefined).listen(Number(process.env.HTTP_PORT), '127.0.0.1', () => console.log('listening'));`,
);
const IGNORES_SIGTERM = script(
  'ignores-sigterm.mjs',
  `process.on('SIGTERM', () => console.log('SIGTERM ignored')); setInterval(() => undefined, 1000); console.log('running');`,
);
const started: SpawnedProcess[] = [];

afterAll(async () => {
  await Promise.all(started.map((spawned) => spawned.stop('SIGKILL')));
  rmSync(dir, { recursive: true, force: true });
});

describe('the tier launcher', () => {
  it('fails the ready wait as soon as the process exits, with its exit and output', async () => {
    const tier = await spawnTier('crasher', CRASHES, {});
    started.push(tier);
    // A deadline far past the test's own timeout: only the exit can end this wait in time.
    const waiting = waitReady(tier, 3_600_000);
    await expect(waiting).rejects.toThrow(/crasher exited \(code 3\) while waiting for crasher ready/);
    await expect(waiting).rejects.toThrow(/opening the database\nboom: database is locked/);
  });

  it('keeps the output of a process that writes its own log file, for the failure message', async () => {
    const logFile = join(dir, 'crasher.log');
    writeFileSync(logFile, 'an earlier run\n');
    const tier = await spawnTier('logged', CRASHES, {}, { logFile });
    started.push(tier);
    const error = await waitReady(tier, 3_600_000).catch((failure: unknown) => failure);
    expect(String(error)).toMatch(/boom: database is locked/);
    expect(String(error)).not.toMatch(/an earlier run/);
  });

  it('fails the ready wait at its deadline while /readyz hangs, with the output', async () => {
    const tier = await spawnTier('hanger', NEVER_READY, {});
    started.push(tier);
    await waitFor('hanger listening', async () => tier.output().includes('listening'), 60_000);
    // The deadline is shorter than one /readyz probe's own timeout: the wait ends mid-probe.
    const error = await waitReady(tier, 500).catch((failure: unknown) => failure);
    expect(String(error)).toMatch(
      /timed out after 500 ms waiting for hanger ready; last \/readyz: no answer yet/,
    );
    expect(String(error)).toMatch(/hanger's recent output ---\nlistening/);
    expect(tier.alive()).toBe(true);
  });

  it('stop() kills a process that ignores SIGTERM once the grace has passed', async () => {
    const stubborn = spawnProcess({ name: 'stubborn', entry: IGNORES_SIGTERM });
    started.push(stubborn);
    await waitFor('stubborn running', async () => stubborn.output().includes('running'), 60_000);
    expect(await stubborn.stop('SIGTERM', 200)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(stubborn.output()).toMatch(/SIGTERM ignored/);
    expect(stubborn.alive()).toBe(false);
  });
});
