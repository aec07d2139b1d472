/** What every bench receives from bench/run.ts. */
export interface BenchOptions {
  /** A couple of seconds per measurement, for CI; the numbers are noisy. */
  quick: boolean;
}

/** Progress goes to stderr: stdout carries exactly one JSON line per bench. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** `progress` with the seconds since `started` (a `performance.now()`) before each message. */
export function progressSince(started: number): (message: string) => void {
  return (message) => progress(`[+${round((performance.now() - started) / 1000, 1)} s] ${message}`);
}

export function round(value: number, digits = 0): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

const cleanups = new Set<() => Promise<void>>();

/** Registers teardown that bench/run.ts runs if the bench is interrupted; call the result once done. */
export function onInterrupt(cleanup: () => Promise<void>): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

export async function runInterruptCleanups(): Promise<void> {
  const pending = [...cleanups].reverse();
  cleanups.clear();
  for (const cleanup of pending)
    await cleanup().catch((error: unknown) => progress(`cleanup failed: ${String(error)}`));
}
