import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleStaleness, type AppBundle } from './app-bundles.ts';

const APP: AppBundle = {
  source: 'app/src/main.ts',
  bundle: 'app/dist/main.js',
  metafile: 'app/dist/main.meta.json',
};

describe('bundleStaleness', () => {
  let root: string;
  /** Writes `path` under the root with its modification time `secondsAgo` in the past. */
  const write = (path: string, text: string, secondsAgo: number) => {
    const file = join(root, path);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text);
    const at = Date.now() / 1000 - secondsAgo;
    utimesSync(file, at, at);
  };
  const built = (secondsAgo: number) => {
    write(APP.bundle, '// bundle', secondsAgo);
    write(APP.metafile, JSON.stringify({ inputs: { [APP.source]: {}, 'lib/util.ts': {} } }), secondsAgo);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'tierscope-bundles-'));
    write(APP.source, 'export {};', 60);
    write('lib/util.ts', 'export {};', 60);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('passes a bundle built after every source it came from', () => {
    built(10);
    expect(bundleStaleness(root, APP)).toBeUndefined();
  });

  it('names a missing bundle', () => {
    expect(bundleStaleness(root, APP)).toBe('app/dist/main.js is missing');
  });

  it('names the source changed after the bundle was built', () => {
    built(10);
    write('lib/util.ts', 'export const changed = true;', 0);
    expect(bundleStaleness(root, APP)).toBe('lib/util.ts changed after app/dist/main.js was built');
  });

  it('names a source that is gone since the build', () => {
    built(10);
    rmSync(join(root, 'lib/util.ts'));
    expect(bundleStaleness(root, APP)).toBe('lib/util.ts changed after app/dist/main.js was built');
  });
});
