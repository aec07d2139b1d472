// A build step: a brotli (.br) and a gzip (.gz) copy beside every text file of the build, made once
// at the highest levels, so the BFF serves them as a CDN would and compresses nothing per request
// (decision 23).
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Plugin, ResolvedConfig } from 'vite';

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);
/** What compresses well; images are compressed already. */
const TEXT_FILE = /\.(js|css|html|svg|webmanifest|json|txt)$/;

async function compressFile(path: string): Promise<void> {
  const content = await readFile(path);
  const [br, gz] = await Promise.all([
    brotli(content, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: content.length,
      },
    }),
    gzipped(content, { level: constants.Z_BEST_COMPRESSION }),
  ]);
  await Promise.all([writeFile(`${path}.br`, br), writeFile(`${path}.gz`, gz)]);
}

/** Every text file under `dir` but Vite's own (.vite/: the manifest is read at build time only). */
async function textFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && TEXT_FILE.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => !path.slice(dir.length).startsWith('/.vite/'));
}

export function precompress(): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'tierscope-precompress',
    apply: 'build',
    configResolved(resolved) {
      config = resolved;
    },
    // After every other plugin has written its files (the service worker is written at the end too).
    closeBundle: {
      order: 'post',
      sequential: true,
      async handler() {
        const outDir = resolve(config.root, config.build.outDir);
        await Promise.all((await textFiles(outDir)).map(compressFile));
      },
    },
  };
}
