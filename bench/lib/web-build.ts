// The console's production build, read through Vite's manifest: which files a route loads.
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** One record of `.vite/manifest.json`. */
export interface ManifestChunk {
  file: string;
  name?: string;
  src?: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
}
export type ViteManifest = Record<string, ManifestChunk>;

export interface WebBuild {
  outDir: string;
  manifest: ViteManifest;
  remove(): Promise<void>;
}

/** Builds apps/web into a temporary directory (never over the dist the BFF may be serving). */
export async function buildWeb(): Promise<WebBuild> {
  const outDir = await mkdtemp(join(tmpdir(), 'tierscope-web-bench-'));
  await run('npm', [
    'run',
    'build',
    '--silent',
    '-w',
    '@tierscope/web',
    '--',
    '--outDir',
    outDir,
    '--emptyOutDir',
  ]);
  const manifest = JSON.parse(await readFile(join(outDir, '.vite/manifest.json'), 'utf8')) as ViteManifest;
  return { outDir, manifest, remove: () => rm(outDir, { recursive: true, force: true }) };
}

/**
 * The manifest keys of what loading `keys` fetches before it runs: each chunk and its static
 * imports, transitively (dynamic imports load later, on demand).
 */
export function staticClosure(manifest: ViteManifest, keys: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    const chunk = manifest[key];
    if (!chunk) throw new Error(`manifest has no ${key}`);
    seen.add(key);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  keys.forEach(visit);
  return [...seen];
}

export async function gzipBytes(path: string): Promise<number> {
  return gzipSync(await readFile(path), { level: 9 }).length;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}\n${stderr}`)),
    );
  });
}

/**
 * The bytes of `url`'s body as sent to a browser whose Accept-Encoding is `encoding` (not
 * decoded); fails when the server answers with another encoding than the one asked for.
 */
export function servedBytes(url: string, encoding: 'br' | 'gzip'): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = get(url, { headers: { 'accept-encoding': encoding } }, (response) => {
      const sentAs = response.headers['content-encoding'];
      if (response.statusCode !== 200 || sentAs !== encoding) {
        response.resume();
        reject(
          new Error(
            `${url}: HTTP ${response.statusCode}, content-encoding ${sentAs ?? 'none'}, not ${encoding}`,
          ),
        );
        return;
      }
      let bytes = 0;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.once('end', () => resolve(bytes));
      response.once('error', reject);
    });
    request.once('error', reject);
  });
}
