import { getHeapStatistics } from 'node:v8';
import type { Logger } from 'pino';

/**
 * The V8 flags a node process is started with (`node --max-old-space-size=1024
 * --max-semi-space-size=1 --import tsx apps/node/src/main.ts`); docs/decisions/0013-node-heap-limit.md
 * says why. The launcher that tests,
 * benches, e2e and `npm start` use (packages/test-support/src/processes.ts) passes the same.
 *
 * An old-space limit under 2 GB makes V8 grow the heap by about 1.6x the live set after each full
 * GC instead of 4x. The ingest path's live set is small and bounded (the queue, QUEUE_LIMIT
 * messages), but in a burst it allocates fast, and with the default limit (4 GB on a machine with
 * over 16 GB) the heap swelled to 3–4x what was live. The limit stays 20x above what a node
 * keeps live, so it bounds garbage, not work. A 1 MB semi-space keeps the young generation (16 MB
 * semi-spaces by default) from holding tens of MB of resident memory an idle node does not need;
 * bursts sustained the same rate with it.
 */
export const NODE_V8_FLAGS: readonly string[] = ['--max-old-space-size=1024', '--max-semi-space-size=1'];

const EXPECTED_HEAP_LIMIT_MB = 1024;
/** V8's limit adds the young generation to the old-space size. */
const HEAP_LIMIT_SLACK_MB = 256;

/** Says so at start when the process runs without the flags: it works, but bursts use far more memory. */
export function warnWithoutNodeFlags(
  logger: Logger,
  heapLimitBytes = getHeapStatistics().heap_size_limit,
): void {
  const limitMb = heapLimitBytes / (1024 * 1024);
  if (limitMb <= EXPECTED_HEAP_LIMIT_MB + HEAP_LIMIT_SLACK_MB) return;
  logger.warn(
    { heapLimitMb: Math.round(limitMb), expected: NODE_V8_FLAGS },
    'started without the node flags: memory in ingest bursts grows to several times what is live (docs/decisions/0013)',
  );
}
