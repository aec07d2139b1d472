// PGlite creates a new database by running initdb in a second WebAssembly instance inside the
// process that opens it, and what that leaves behind stays resident: a node that had just created
// its database held about 750 MB, one that opened an existing database about 300 MB. A new data
// directory is therefore made by a short-lived child process, and the node opens what it left.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Creates `dataDir` (initdb) in a child process unless it holds a database already. */
export async function initPgliteDataDir(dataDir: string): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  // The child runs beside this module, so it resolves the same PGlite installation (from source or
  // from a bundle; import.meta.resolve is not there under every loader, vitest's among them).
  const script = `const { PGlite } = await import('@electric-sql/pglite'); const db = await PGlite.create(process.argv[1]); await db.close();`;
  try {
    await run(process.execPath, ['--input-type=module', '-e', script, dataDir], {
      cwd: dirname(fileURLToPath(import.meta.url)),
      timeout: 120_000,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`creating the PGlite database in ${dataDir} failed${stderr ? `: ${stderr}` : ''}`, {
      cause: error,
    });
  }
}
